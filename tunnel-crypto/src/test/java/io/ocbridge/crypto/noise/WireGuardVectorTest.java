package io.ocbridge.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.cookie.CookieChecker;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.wire.Transport;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Byte-for-byte agreement with an independent implementation: src/test/python/wireguard_vectors.py,
 * written from the whitepaper on Python's BLAKE2s/HMAC and the `cryptography` package's X25519 and
 * ChaCha20-Poly1305. Fixed static and ephemeral keys, PSK, indices and clock.
 */
class WireGuardVectorTest {

    private static final HexFormat HEX = HexFormat.of();

    private static final String S_I = "c8e2d0b3b7f6a2f0b4a8a8c51f0f7bb0a5a7f4b6c6d0a3e2e1a9c0d9b8f7e64f";
    private static final String S_R = "40a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e4f";
    private static final String E_I = "a0112233445566778899aabbccddeeff00112233445566778899aabbccddee7f";
    private static final String E_R = "d8f0e1d2c3b4a5968778695a4b3c2d1e0f00f1e2d3c4b5a69788796a5b4c3d6e";
    private static final String PSK = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
    private static final int I_I = 0x0A0B0C0D;
    private static final int I_R = 0x01020304;
    private static final Clock WALL = Clock.fixed(Instant.parse("2026-01-01T00:00:00.123456789Z"), ZoneOffset.UTC);

    private static final String INITIATION = "010000000d0c0b0aadb877bf086f0d5a7dd3442c9508895b6a8b401c05ae48f246b0fc7a"
            + "373209226aec2f0d35b5c2148ff8ffecf83213fcbc24b88b5c08641ee4d926e153a6df63738ed754f3c877bbda2d29c8fc"
            + "c3182ce763ffac97be714f55024ea29c4e66cf295fd06e505a7078b764ea2823d9faa0f158d04a1a92cb51886d9d7f0000"
            + "0000000000000000000000000000";
    private static final String RESPONSE = "02000000040302010d0c0b0a23fd1ebea313d5799e50d11d8c508284a3e33e0a7eeb2d"
            + "1eb0e6612c088a8b1dd0b8c2d6ff0a11efec652aa729ff988a47d10b327d5eb2ffa04b08c9d52c28cd0000000000000000"
            + "0000000000000000";
    private static final String PACKET_I = "04000000040302010000000000000000"
            + "6b1fa64b89066ac1bac685250588c15b7d9445af815877feec799ad03cf99335fb994866c233d7daacad1ec48297c815";
    private static final String PACKET_R = "040000000d0c0b0a0700000000000000"
            + "b9f9b306440ddf34a9514f6d9b9ec9851ab5f8d5d70b59fec0def3dad0eb0e1cb921fa3cf4bed0015dcc88f0ae75a7aa";
    private static final byte[] PAYLOAD = java.util.Arrays.copyOf(
            "ping over ocbridge".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 32);

    private static PrivateKey key(String hex) {
        try {
            return PrivateKey.fromBase64(Base64.getEncoder().encodeToString(HEX.parseHex(hex)));
        } catch (KeyFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static PresharedKey psk() throws KeyFormatException {
        return PresharedKey.fromBase64(Base64.getEncoder().encodeToString(HEX.parseHex(PSK)));
    }

    private static Supplier<PrivateKey> fixed(String hex) {
        return () -> key(hex);
    }

    private static String hex(ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.get(buf.position(), b);
        return HEX.formatHex(b);
    }

    @Test
    void bothRolesProduceAndAcceptTheReferenceBytes() throws KeyFormatException {
        LocalIdentity initiator = new LocalIdentity(key(S_I));
        LocalIdentity responder = new LocalIdentity(key(S_R));
        PeerHandshake initiatorSide = new PeerHandshake(initiator, responder.publicKey(), psk(), WALL, () -> 0L);
        PeerHandshake responderSide = new PeerHandshake(responder, initiator.publicKey(), psk(), WALL, () -> 0L);
        initiatorSide.useEphemeralsForTest(fixed(E_I));
        responderSide.useEphemeralsForTest(fixed(E_R));

        ByteBuffer init = ByteBuffer.allocate(148);
        initiatorSide.createInitiation(I_I, init);
        new CookieGenerator(responder.publicKey(), () -> 0L).addMacs(init.flip());
        assertEquals(INITIATION, hex(init));

        ByteBuffer reference = ByteBuffer.wrap(HEX.parseHex(INITIATION));
        assertTrue(new CookieChecker(responder.publicKey(), () -> 0L).checkMac1(reference));
        InitiationResult result = Handshakes.consumeInitiation(responder, reference,
                k -> k.equals(initiator.publicKey()) ? responderSide : null);
        assertTrue(result.ok(), () -> String.valueOf(result.failure()));
        assertEquals(I_I, result.senderIndex());

        ByteBuffer response = ByteBuffer.allocate(92);
        Keypair responderKeys = responderSide.createResponse(I_R, response);
        new CookieGenerator(initiator.publicKey(), () -> 0L).addMacs(response.flip());
        assertEquals(RESPONSE, hex(response));

        ByteBuffer referenceResponse = ByteBuffer.wrap(HEX.parseHex(RESPONSE));
        assertTrue(new CookieChecker(initiator.publicKey(), () -> 0L).checkMac1(referenceResponse));
        Keypair initiatorKeys = initiatorSide.consumeResponse(referenceResponse);
        assertNotNull(initiatorKeys);

        assertEquals(PACKET_I, hex(transport(initiatorKeys, 0)));
        assertEquals(PACKET_R, hex(transport(responderKeys, 7)));
    }

    private static ByteBuffer transport(Keypair keys, long counter) {
        ByteBuffer packet = ByteBuffer.allocate(Transport.DATA_OFFSET + PAYLOAD.length + 16);
        io.ocbridge.crypto.wire.Messages.putHeader(packet, 0, 4);
        io.ocbridge.crypto.wire.LittleEndian.putInt(packet, Transport.RECEIVER_OFFSET, keys.remoteIndex());
        io.ocbridge.crypto.wire.LittleEndian.putLong(packet, Transport.COUNTER_OFFSET, counter);
        keys.seal(counter, ByteBuffer.wrap(PAYLOAD), packet.position(Transport.DATA_OFFSET));
        return packet.flip();
    }
}
