package io.ocbridge.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ChaChaPolyTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8439 section 2.8.2.
    private static final byte[] KEY = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static final int NONCE_PREFIX = 0x00000007;
    private static final long NONCE_COUNTER = 0x4746454443424140L; // bytes 40..47 little-endian
    private static final byte[] AAD = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    private static final byte[] PLAINTEXT = ("Ladies and Gentlemen of the class of '99: If I could offer you only one "
            + "tip for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
    private static final String SEALED = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
            + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
            + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116"
            + "1ae10b594f09e26a7e902ecbd0600691";

    @Test
    void rfc8439VectorThroughTheHandshakeHelper() {
        byte[] nonce = HEX.parseHex("070000004041424344454647");
        byte[] out = new byte[PLAINTEXT.length + 16];
        ChaChaPoly.sealWithNonce(KEY, nonce, PLAINTEXT, 0, PLAINTEXT.length, AAD, out, 0);
        assertEquals(SEALED, HEX.formatHex(out));
        byte[] back = new byte[PLAINTEXT.length];
        assertTrue(ChaChaPoly.openWithNonce(KEY, nonce, out, 0, out.length, AAD, back, 0));
        assertArrayEquals(PLAINTEXT, back);
        out[3] ^= 1;
        assertFalse(ChaChaPoly.openWithNonce(KEY, nonce, out, 0, out.length, AAD, back, 0));
    }

    @Test
    void rfc8439VectorThroughTheTransportCipherHeapDirectAndInPlace() {
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer plain = buffer(direct, PLAINTEXT.length).put(PLAINTEXT).flip();
            ByteBuffer sealed = buffer(direct, PLAINTEXT.length + 16);
            new TransportCipher(KEY, true, NONCE_PREFIX).seal(NONCE_COUNTER, plain, sealed, AAD);
            assertEquals(0, plain.remaining());
            assertEquals(SEALED, hex(sealed.flip()));

            ByteBuffer opened = buffer(direct, PLAINTEXT.length);
            assertTrue(new TransportCipher(KEY, false, NONCE_PREFIX).open(NONCE_COUNTER, sealed, opened, AAD));
            assertArrayEquals(PLAINTEXT, bytes(opened.flip()));

            // In place: one region, two views, as the data path does with its packet buffer.
            ByteBuffer region = buffer(direct, PLAINTEXT.length + 16).put(PLAINTEXT).flip();
            ByteBuffer dst = region.duplicate().limit(region.capacity());
            new TransportCipher(KEY, true, NONCE_PREFIX).seal(NONCE_COUNTER, region, dst, AAD);
            assertEquals(SEALED, hex(dst.flip()));
            ByteBuffer src = dst.duplicate();
            ByteBuffer out = dst.duplicate();
            assertTrue(new TransportCipher(KEY, false, NONCE_PREFIX).open(NONCE_COUNTER, src, out, AAD));
            assertArrayEquals(PLAINTEXT, bytes(out.flip()));
        }
    }

    @Test
    void wireguardNonceIsFourZeroBytesAndALittleEndianCounter() {
        // Python cryptography: ChaCha20Poly1305(b"\x42"*32).encrypt(bytes(4) + (0x0102030405060708).to_bytes(8, "little"), ...)
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0x42);
        byte[] plain = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        String expected = "dcc30e46428550f5c8dde4a33b18d34520a589ce14c1358161b1b44cc7741f42";

        byte[] out = new byte[32];
        ChaChaPoly.seal(key, 0x0102030405060708L, plain, 0, 16, new byte[0], out, 0);
        assertEquals(expected, HEX.formatHex(out));

        ByteBuffer sealed = ByteBuffer.allocateDirect(32);
        new TransportCipher(key, true).seal(0x0102030405060708L, ByteBuffer.wrap(plain), sealed);
        assertEquals(expected, hex(sealed.flip()));
    }

    @Test
    void arrayInPlaceSealAndOpenMatchTheKnownAnswer() {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0x42);
        byte[] work = new byte[64];
        byte[] plain = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(plain, 0, work, 0, 16);
        assertEquals(32, new TransportCipher(key, true).sealInPlace(0x0102030405060708L, work, 16));
        assertEquals("dcc30e46428550f5c8dde4a33b18d34520a589ce14c1358161b1b44cc7741f42",
                HEX.formatHex(work, 0, 32));
        byte[] tampered = work.clone();
        tampered[3] ^= 1;
        TransportCipher receiver = new TransportCipher(key, false);
        assertFalse(receiver.openInPlace(0x0102030405060708L, tampered, 32));
        assertFalse(receiver.openInPlace(0x0102030405060708L, work, 15), "shorter than a tag");
        assertTrue(receiver.openInPlace(0x0102030405060708L, work, 32));
        assertArrayEquals(plain, java.util.Arrays.copyOf(work, 16));
    }

    @Test
    void failedOpenRestoresPositions() {
        ByteBuffer sealed = ByteBuffer.wrap(HEX.parseHex(SEALED));
        sealed.put(0, (byte) (sealed.get(0) ^ 1));
        ByteBuffer out = ByteBuffer.allocate(PLAINTEXT.length);
        assertFalse(new TransportCipher(KEY, false, NONCE_PREFIX).open(NONCE_COUNTER, sealed, out, AAD));
        assertEquals(0, sealed.position());
        assertEquals(0, out.position());
        assertFalse(new TransportCipher(KEY, false).open(0, ByteBuffer.allocate(15), out));
    }

    @Test
    void destroyZeroesTheKeyAndRefusesFurtherUse() {
        TransportCipher cipher = new TransportCipher(KEY, true);
        cipher.destroy();
        assertTrue(cipher.keyIsZero());
        assertThrows(IllegalStateException.class,
                () -> cipher.seal(1, ByteBuffer.allocate(16), ByteBuffer.allocate(32)));
    }

    @Test
    void aCipherOnlyWorksInItsDirection() {
        assertThrows(IllegalStateException.class,
                () -> new TransportCipher(KEY, true).open(0, ByteBuffer.allocate(32), ByteBuffer.allocate(16)));
    }

    private static ByteBuffer buffer(boolean direct, int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    private static byte[] bytes(ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.get(buf.position(), b);
        return b;
    }

    private static String hex(ByteBuffer buf) {
        return HEX.formatHex(bytes(buf));
    }
}
