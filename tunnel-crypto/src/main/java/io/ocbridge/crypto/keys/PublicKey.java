package io.ocbridge.crypto.keys;

import io.ocbridge.crypto.Protocol;
import java.util.Arrays;

/** An X25519 public key (a Montgomery u-coordinate), immutable. Not secret: prints as base64. */
public final class PublicKey {

    final byte[] key;

    private PublicKey(byte[] key) {
        this.key = key;
    }

    public static PublicKey fromBase64(String s) throws KeyFormatException {
        return new PublicKey(KeyEncoding.decode(s));
    }

    /** Copies 32 bytes from {@code src[offset..]}, e.g. an ephemeral key read off the wire. */
    public static PublicKey fromBytes(byte[] src, int offset) {
        if (offset < 0 || src.length - offset < Protocol.KEY_SIZE) {
            throw new IllegalArgumentException("need 32 bytes");
        }
        return new PublicKey(Arrays.copyOfRange(src, offset, offset + Protocol.KEY_SIZE));
    }

    public String toBase64() {
        return KeyEncoding.encode(key);
    }

    /** A copy of the 32 key bytes. */
    public byte[] bytes() {
        return key.clone();
    }

    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(key, 0, dst, offset, Protocol.KEY_SIZE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return toBase64();
    }
}
