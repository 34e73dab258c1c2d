package io.ocbridge.crypto.noise;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.aead.ChaChaPoly;
import io.ocbridge.crypto.hash.Blake2s;
import io.ocbridge.crypto.hash.Kdf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Noise's symmetric state for one handshake: the chaining key that accumulates DH results and the
 * handshake hash that binds the transcript. Every AEAD in a WireGuard handshake uses a fresh key,
 * so its nonce is always zero.
 */
final class SymmetricState {

    static final byte[] INITIAL_CHAINING_KEY =
            Blake2s.hash(Protocol.CONSTRUCTION.getBytes(StandardCharsets.US_ASCII));
    static final byte[] INITIAL_HASH =
            Blake2s.hash(INITIAL_CHAINING_KEY, Protocol.IDENTIFIER.getBytes(StandardCharsets.US_ASCII));

    private static final byte[] EMPTY = new byte[0];

    final byte[] chainingKey = new byte[Protocol.HASH_SIZE];
    final byte[] handshakeHash = new byte[Protocol.HASH_SIZE];

    /** The first hash depends on the responder's static key; callers precompute it per key. */
    static byte[] initialHashFor(byte[] responderStatic) {
        return Blake2s.hash(INITIAL_HASH, responderStatic);
    }

    void initialize(byte[] initialHash) {
        System.arraycopy(INITIAL_CHAINING_KEY, 0, chainingKey, 0, Protocol.HASH_SIZE);
        System.arraycopy(initialHash, 0, handshakeHash, 0, Protocol.HASH_SIZE);
    }

    void copyFrom(SymmetricState other) {
        System.arraycopy(other.chainingKey, 0, chainingKey, 0, Protocol.HASH_SIZE);
        System.arraycopy(other.handshakeHash, 0, handshakeHash, 0, Protocol.HASH_SIZE);
    }

    void mixHash(byte[] data, int offset, int length) {
        byte[] part = Arrays.copyOfRange(data, offset, offset + length);
        byte[] next = Blake2s.hash(handshakeHash, part);
        System.arraycopy(next, 0, handshakeHash, 0, Protocol.HASH_SIZE);
    }

    /** chainingKey = KDF1(chainingKey, input). */
    void mixKey(byte[] input) {
        Kdf.derive(chainingKey, input, chainingKey);
    }

    /** (chainingKey, key) = KDF2(chainingKey, input). */
    void mixKey(byte[] input, byte[] key) {
        Kdf.derive(chainingKey, input, chainingKey, key);
    }

    /** (chainingKey, τ, key) = KDF3(chainingKey, psk); mixHash(τ). The "psk2" modifier. */
    void mixKeyAndHash(byte[] psk, byte[] key) {
        byte[] tau = new byte[Protocol.HASH_SIZE];
        Kdf.derive(chainingKey, psk, chainingKey, tau, key);
        mixHash(tau, 0, tau.length);
        Arrays.fill(tau, (byte) 0);
    }

    /** Seals {@code plaintext} into {@code msg[offset..]} with the hash as AAD, then hashes the ciphertext. */
    void encryptAndHash(byte[] key, byte[] plaintext, byte[] msg, int offset) {
        ChaChaPoly.seal(key, 0, plaintext, 0, plaintext.length, handshakeHash, msg, offset);
        mixHash(msg, offset, plaintext.length + Protocol.TAG_SIZE);
    }

    /** Opens {@code msg[offset..offset+length)} into {@code plaintext}; hashes the ciphertext only on success. */
    boolean decryptAndHash(byte[] key, byte[] msg, int offset, int length, byte[] plaintext) {
        if (!ChaChaPoly.open(key, 0, msg, offset, length, handshakeHash, plaintext, 0)) {
            return false;
        }
        mixHash(msg, offset, length);
        return true;
    }

    /** (first, second) = KDF2(chainingKey, ε): initiator-to-responder key, then responder-to-initiator. */
    void split(byte[] first, byte[] second) {
        Kdf.derive(chainingKey, EMPTY, first, second);
    }

    void clear() {
        Arrays.fill(chainingKey, (byte) 0);
        Arrays.fill(handshakeHash, (byte) 0);
    }
}
