package io.ocbridge.crypto.aead;

import io.ocbridge.crypto.Protocol;
import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): ChaCha20-Poly1305 under the HChaCha20 subkey of the
 * first 16 nonce bytes, with nonce 0^4 || the last 8 nonce bytes. Used for cookie replies, whose
 * random 24-byte nonces cannot collide in practice.
 */
public final class XChaChaPoly {

    public static final int NONCE_SIZE = Protocol.COOKIE_NONCE_SIZE;

    private XChaChaPoly() {
    }

    public static void seal(byte[] key, byte[] nonce, byte[] plaintext, int offset, int length,
                            byte[] aad, byte[] out, int outOffset) {
        byte[] subkey = new byte[Protocol.KEY_SIZE];
        HChaCha20.subkey(key, nonce, 0, subkey);
        ChaChaPoly.sealWithNonce(subkey, innerNonce(nonce), plaintext, offset, length, aad, out, outOffset);
        Arrays.fill(subkey, (byte) 0);
    }

    public static boolean open(byte[] key, byte[] nonce, byte[] ciphertext, int offset, int length,
                               byte[] aad, byte[] out, int outOffset) {
        byte[] subkey = new byte[Protocol.KEY_SIZE];
        HChaCha20.subkey(key, nonce, 0, subkey);
        boolean ok = ChaChaPoly.openWithNonce(subkey, innerNonce(nonce), ciphertext, offset, length, aad,
                out, outOffset);
        Arrays.fill(subkey, (byte) 0);
        return ok;
    }

    private static byte[] innerNonce(byte[] nonce) {
        if (nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("XChaCha20 nonce is 24 bytes");
        }
        byte[] inner = new byte[ChaChaPoly.NONCE_SIZE];
        System.arraycopy(nonce, 16, inner, 4, 8);
        return inner;
    }
}
