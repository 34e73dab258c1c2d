package io.ocbridge.crypto.aead;

import io.ocbridge.crypto.Protocol;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The whitepaper's AEAD on byte arrays, for handshake and cookie messages (not the data path, see
 * {@link TransportCipher}). Nonce: 32 bits of zeros, then the 64-bit counter little-endian.
 */
public final class ChaChaPoly {

    public static final int NONCE_SIZE = 12;

    private ChaChaPoly() {
    }

    /** Writes ciphertext || tag ({@code length + 16} bytes) to {@code out[outOffset..]}. */
    public static void seal(byte[] key, long counter, byte[] plaintext, int offset, int length,
                            byte[] aad, byte[] out, int outOffset) {
        sealWithNonce(key, nonce(counter), plaintext, offset, length, aad, out, outOffset);
    }

    /** Writes {@code length - 16} bytes of plaintext; false if the tag does not authenticate. */
    public static boolean open(byte[] key, long counter, byte[] ciphertext, int offset, int length,
                               byte[] aad, byte[] out, int outOffset) {
        return openWithNonce(key, nonce(counter), ciphertext, offset, length, aad, out, outOffset);
    }

    static void sealWithNonce(byte[] key, byte[] nonce, byte[] plaintext, int offset, int length,
                              byte[] aad, byte[] out, int outOffset) {
        ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
        cipher.init(true, new AEADParameters(new KeyParameter(key), Protocol.TAG_SIZE * 8, nonce, aad));
        int n = cipher.processBytes(plaintext, offset, length, out, outOffset);
        try {
            cipher.doFinal(out, outOffset + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail to authenticate", e);
        }
    }

    static boolean openWithNonce(byte[] key, byte[] nonce, byte[] ciphertext, int offset, int length,
                                 byte[] aad, byte[] out, int outOffset) {
        if (length < Protocol.TAG_SIZE) {
            return false;
        }
        ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
        cipher.init(false, new AEADParameters(new KeyParameter(key), Protocol.TAG_SIZE * 8, nonce, aad));
        // BC buffers plaintext internally and releases it only after the tag verified.
        byte[] plain = new byte[length - Protocol.TAG_SIZE];
        int n = cipher.processBytes(ciphertext, offset, length, plain, 0);
        try {
            cipher.doFinal(plain, n);
        } catch (InvalidCipherTextException e) {
            return false;
        }
        System.arraycopy(plain, 0, out, outOffset, plain.length);
        return true;
    }

    /** 4 zero bytes, then the counter little-endian. */
    public static byte[] nonce(long counter) {
        byte[] nonce = new byte[NONCE_SIZE];
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        return nonce;
    }
}
