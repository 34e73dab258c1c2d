package io.ocbridge.crypto.keys;

import io.ocbridge.crypto.Protocol;
import java.security.SecureRandom;
import java.util.Arrays;

/** The optional symmetric key mixed into the handshake (the "psk2" of IKpsk2); all zeros when unset. */
public final class PresharedKey {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    private PresharedKey(byte[] key) {
        this.key = key;
    }

    public static PresharedKey generate() {
        byte[] key = new byte[Protocol.KEY_SIZE];
        RANDOM.nextBytes(key);
        return new PresharedKey(key);
    }

    public static PresharedKey fromBase64(String s) throws KeyFormatException {
        return new PresharedKey(KeyEncoding.decode(s));
    }

    /** From the key's base64 text as bytes (a key file's content), so no String holds it; the caller zeroes it. */
    public static PresharedKey fromBase64(byte[] text) throws KeyFormatException {
        return new PresharedKey(KeyEncoding.decode(text));
    }

    /** A copy of {@code src[offset..offset+32)}; the caller zeroes its array. */
    public static PresharedKey fromBytes(byte[] src, int offset) {
        if (offset < 0 || src.length - offset < Protocol.KEY_SIZE) {
            throw new IllegalArgumentException("need 32 bytes");
        }
        return new PresharedKey(Arrays.copyOfRange(src, offset, offset + Protocol.KEY_SIZE));
    }

    /** The value WireGuard uses when no preshared key is configured. */
    public static PresharedKey zero() {
        return new PresharedKey(new byte[Protocol.KEY_SIZE]);
    }

    public String toBase64() {
        return KeyEncoding.encode(key);
    }

    /** Copies the secret into {@code dst[offset..offset+32)}; the caller zeroes its copy. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(key, 0, dst, offset, Protocol.KEY_SIZE);
    }

    public void destroy() {
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "PresharedKey[redacted]";
    }
}
