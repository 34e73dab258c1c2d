package io.ocbridge.crypto.keys;

import io.ocbridge.crypto.Protocol;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * An X25519 private key. Keys we generate are clamped like `wg genkey`; imported keys are kept as
 * given (X25519 clamps during multiplication, so `wg pubkey` and {@link #publicKey()} agree).
 */
public final class PrivateKey {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private PublicKey publicKey;

    private PrivateKey(byte[] key) {
        this.key = key;
    }

    public static PrivateKey generate() {
        byte[] key = new byte[Protocol.KEY_SIZE];
        RANDOM.nextBytes(key);
        clamp(key);
        return new PrivateKey(key);
    }

    public static PrivateKey fromBase64(String s) throws KeyFormatException {
        return new PrivateKey(KeyEncoding.decode(s));
    }

    /** From the key's base64 text as bytes (a key file's content), so no String holds it; the caller zeroes it. */
    public static PrivateKey fromBase64(byte[] text) throws KeyFormatException {
        return new PrivateKey(KeyEncoding.decode(text));
    }

    /** RFC 7748 section 5: clear the cofactor bits, set the top bit, stay below 2^255. */
    static void clamp(byte[] key) {
        key[0] &= (byte) 0xf8;
        key[31] &= 0x7f;
        key[31] |= 0x40;
    }

    public String toBase64() {
        return KeyEncoding.encode(key);
    }

    public PublicKey publicKey() {
        if (publicKey == null) {
            byte[] pub = new byte[Protocol.KEY_SIZE];
            X25519.scalarMultBase(key, 0, pub, 0);
            publicKey = PublicKey.fromBytes(pub, 0);
        }
        return publicKey;
    }

    /**
     * X25519(this, remote) into {@code out[offset..offset+32)}. Returns false when the result is all
     * zeros, i.e. the remote point has small order; the handshake must then be abandoned.
     */
    public boolean sharedSecret(PublicKey remote, byte[] out, int offset) {
        return X25519.calculateAgreement(key, 0, remote.key, 0, out, offset);
    }

    /** Copies the secret into {@code dst[offset..offset+32)} (operator queries only); the caller zeroes its copy. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(key, 0, dst, offset, Protocol.KEY_SIZE);
    }

    /** Zeroes the key bytes; the object is useless afterwards. */
    public void destroy() {
        Arrays.fill(key, (byte) 0);
    }

    boolean isDestroyed() {
        for (byte b : key) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "PrivateKey[redacted]";
    }
}
