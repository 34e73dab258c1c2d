package io.ocbridge.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s against the standard test vector of the cacophony project (the resource
 * cacophony-IKpsk2.properties names its source). WireGuard is this pattern under the same protocol name, with its
 * identifier as the prologue, a timestamp as the first payload, an empty second payload, and indices and MACs around
 * the messages; so the vector is checked where the two agree: the symmetric state (mixHash, mixKey, mixKeyAndHash,
 * encryptAndHash, decryptAndHash, split) driven token by token in PeerHandshake's order, X25519 through PrivateKey,
 * and the split keys through Keypair, whose transport counter is Noise's nonce.
 */
class CacophonyVectorTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final Properties VECTOR = load("cacophony-IKpsk2.properties");
    private static final int TAG = Protocol.TAG_SIZE;
    private static final int KEY = Protocol.KEY_SIZE;

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = CacophonyVectorTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError("test resource " + resource + " missing");
            }
            p.load(in);
        } catch (IOException e) {
            throw new AssertionError("test resource " + resource + " unreadable", e);
        }
        return p;
    }

    private static byte[] bytes(String field) {
        String hex = VECTOR.getProperty(field);
        if (hex == null) {
            throw new AssertionError("no field " + field + " in the vector");
        }
        return HEX.parseHex(hex);
    }

    private static PrivateKey key(String field) throws KeyFormatException {
        return PrivateKey.fromBase64(Base64.getEncoder().encodeToString(bytes(field)));
    }

    private static byte[] dh(PrivateKey local, PublicKey remote) {
        byte[] shared = new byte[KEY];
        assertTrue(local.sharedSecret(remote, shared, 0));
        return shared;
    }

    /** Noise's InitializeSymmetric (a name longer than a hash: h = ck = HASH(name)), MixHash(prologue), then {@code <- s}. */
    private static SymmetricState start(byte[] prologue, PublicKey responderStatic) {
        SymmetricState s = new SymmetricState();
        s.initialize(SymmetricState.INITIAL_CHAINING_KEY);
        s.mixHash(prologue, 0, prologue.length);
        s.mixHash(responderStatic.bytes(), 0, KEY);
        return s;
    }

    @Test
    void wireGuardStartsAsNoiseDoesWithItsIdentifierAsThePrologue() {
        assertEquals(VECTOR.getProperty("protocol_name"), Protocol.CONSTRUCTION);
        byte[] identifier = Protocol.IDENTIFIER.getBytes(StandardCharsets.US_ASCII);
        SymmetricState s = new SymmetricState();
        s.initialize(SymmetricState.INITIAL_CHAINING_KEY);
        s.mixHash(identifier, 0, identifier.length);
        assertArrayEquals(SymmetricState.INITIAL_HASH, s.handshakeHash);

        byte[] responderStatic = bytes("init_remote_static");
        s.mixHash(responderStatic, 0, KEY);
        assertArrayEquals(SymmetricState.initialHashFor(responderStatic), s.handshakeHash);
    }

    @Test
    void handshakeMessagesHashAndTransportMessagesMatchTheVector() throws KeyFormatException {
        PrivateKey initiatorStatic = key("init_static");
        PrivateKey initiatorEphemeral = key("init_ephemeral");
        PrivateKey responderStatic = key("resp_static");
        PrivateKey responderEphemeral = key("resp_ephemeral");
        byte[] psk = bytes("init_psks.0");
        assertArrayEquals(psk, bytes("resp_psks.0"));
        assertArrayEquals(bytes("init_remote_static"), responderStatic.publicKey().bytes());
        SymmetricState initiator = start(bytes("init_prologue"), responderStatic.publicKey());
        SymmetricState responder = start(bytes("resp_prologue"), responderStatic.publicKey());
        byte[] key = new byte[KEY];

        // -> e, es, s, ss (psk modes mix e into the chaining key too, as WireGuard does)
        byte[] payload = bytes("messages.0.payload");
        byte[] first = new byte[KEY + KEY + TAG + payload.length + TAG];
        byte[] e = initiatorEphemeral.publicKey().bytes();
        System.arraycopy(e, 0, first, 0, KEY);
        initiator.mixHash(e, 0, KEY);
        initiator.mixKey(e);
        initiator.mixKey(dh(initiatorEphemeral, responderStatic.publicKey()), key);
        initiator.encryptAndHash(key, initiatorStatic.publicKey().bytes(), first, KEY);
        initiator.mixKey(dh(initiatorStatic, responderStatic.publicKey()), key);
        initiator.encryptAndHash(key, payload, first, KEY + KEY + TAG);
        assertEquals(VECTOR.getProperty("messages.0.ciphertext"), HEX.formatHex(first));

        PublicKey theirEphemeral = PublicKey.fromBytes(first, 0);
        responder.mixHash(first, 0, KEY);
        responder.mixKey(theirEphemeral.bytes());
        responder.mixKey(dh(responderStatic, theirEphemeral), key);
        byte[] theirStatic = new byte[KEY];
        assertTrue(responder.decryptAndHash(key, first, KEY, KEY + TAG, theirStatic));
        assertArrayEquals(initiatorStatic.publicKey().bytes(), theirStatic);
        responder.mixKey(dh(responderStatic, PublicKey.fromBytes(theirStatic, 0)), key);
        byte[] opened = new byte[payload.length];
        assertTrue(responder.decryptAndHash(key, first, KEY + KEY + TAG, payload.length + TAG, opened));
        assertArrayEquals(payload, opened);

        // <- e, ee, se, psk
        payload = bytes("messages.1.payload");
        byte[] second = new byte[KEY + payload.length + TAG];
        e = responderEphemeral.publicKey().bytes();
        System.arraycopy(e, 0, second, 0, KEY);
        responder.mixHash(e, 0, KEY);
        responder.mixKey(e);
        responder.mixKey(dh(responderEphemeral, theirEphemeral));
        responder.mixKey(dh(responderEphemeral, initiatorStatic.publicKey()));
        responder.mixKeyAndHash(psk, key);
        responder.encryptAndHash(key, payload, second, KEY);
        assertEquals(VECTOR.getProperty("messages.1.ciphertext"), HEX.formatHex(second));

        PublicKey responderEphemeralPublic = PublicKey.fromBytes(second, 0);
        initiator.mixHash(second, 0, KEY);
        initiator.mixKey(responderEphemeralPublic.bytes());
        initiator.mixKey(dh(initiatorEphemeral, responderEphemeralPublic));
        initiator.mixKey(dh(initiatorStatic, responderEphemeralPublic));
        initiator.mixKeyAndHash(psk, key);
        opened = new byte[payload.length];
        assertTrue(initiator.decryptAndHash(key, second, KEY, payload.length + TAG, opened));
        assertArrayEquals(payload, opened);

        assertEquals(VECTOR.getProperty("handshake_hash"), HEX.formatHex(initiator.handshakeHash));
        assertEquals(VECTOR.getProperty("handshake_hash"), HEX.formatHex(responder.handshakeHash));

        // Transport: Split's first key carries initiator to responder, the second back; nonces count from 0.
        Keypair initiatorKeys = split(initiator, true);
        Keypair responderKeys = split(responder, false);
        for (int m = 2; m <= 5; m++) {
            boolean fromInitiator = m % 2 == 0;
            long counter = (m - 2) / 2;
            transport(m, counter, fromInitiator ? initiatorKeys : responderKeys,
                    fromInitiator ? responderKeys : initiatorKeys);
        }
    }

    private static Keypair split(SymmetricState s, boolean initiator) {
        byte[] first = new byte[KEY];
        byte[] second = new byte[KEY];
        s.split(first, second);
        return initiator
                ? new Keypair(first, second, 1, 2, true, 0)
                : new Keypair(second, first, 2, 1, false, 0);
    }

    /** Vector message {@code m} sealed by {@code sender} under {@code counter}, and opened again by {@code receiver}. */
    private static void transport(int m, long counter, Keypair sender, Keypair receiver) {
        byte[] payload = bytes("messages." + m + ".payload");
        byte[] work = Arrays.copyOf(payload, payload.length + TAG);
        int sealed = sender.sealInPlace(counter, work, payload.length);
        assertEquals(VECTOR.getProperty("messages." + m + ".ciphertext"), HEX.formatHex(work, 0, sealed),
                "message " + m);
        assertTrue(receiver.openInPlace(counter, work, sealed), "message " + m);
        assertArrayEquals(payload, Arrays.copyOf(work, payload.length), "message " + m);
    }
}
