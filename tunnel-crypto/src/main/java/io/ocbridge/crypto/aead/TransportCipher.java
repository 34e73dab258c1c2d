package io.ocbridge.crypto.aead;

import io.ocbridge.crypto.Protocol;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;

/**
 * One direction of a transport session: the JDK's ChaCha20-Poly1305 (intrinsified) over ByteBuffers,
 * re-initialised per packet with the counter nonce. Works on heap and direct buffers and in place.
 * Not thread-safe: one owner thread per direction.
 *
 * <p>The JDK's AEAD works on arrays: handed direct buffers, it copies through a temporary array it
 * allocates per message. We copy through one scratch array per direction instead (same copies, no
 * garbage).
 */
public final class TransportCipher {

    private final Cipher cipher;
    private final int mode;
    private final RawKey key;
    /** Bytes 0-3 are the constant prefix (zero in WireGuard), 4-11 the little-endian counter. */
    private final byte[] nonce = new byte[ChaChaPoly.NONCE_SIZE];
    /** Message bytes in flight through the cipher; grows to the largest message seen. */
    private byte[] scratch = new byte[2048];
    private boolean destroyed;

    /** Takes a copy of {@code key}; {@code encrypt} selects the direction. */
    public TransportCipher(byte[] key, boolean encrypt) {
        this(key, encrypt, 0);
    }

    /** A non-zero prefix exists only so RFC 8439's vectors can be run through this exact code. */
    TransportCipher(byte[] key, boolean encrypt, int noncePrefix) {
        this.key = new RawKey(key.clone());
        this.mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        for (int i = 0; i < 4; i++) {
            nonce[i] = (byte) (noncePrefix >>> (8 * i));
        }
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks ChaCha20-Poly1305", e);
        }
    }

    /** Seals all of {@code plaintext} into {@code dst} as ciphertext || tag; advances both. */
    public void seal(long counter, ByteBuffer plaintext, ByteBuffer dst) {
        seal(counter, plaintext, dst, null);
    }

    void seal(long counter, ByteBuffer plaintext, ByteBuffer dst, byte[] aad) {
        int length = plaintext.remaining();
        byte[] work = scratch(length + Protocol.TAG_SIZE);
        plaintext.get(work, 0, length);
        dst.put(work, 0, seal(counter, work, length, aad));
    }

    /**
     * Seals {@code work[0, length)} in place: ciphertext || tag end up in {@code work[0, length + 16)}.
     * Returns {@code length + 16}. For callers that copy the packet into an array of their own anyway
     * (the JDK's AEAD works on arrays): no buffer views, no scratch copy here.
     */
    public int sealInPlace(long counter, byte[] work, int length) {
        return seal(counter, work, length, null);
    }

    private int seal(long counter, byte[] work, int length, byte[] aad) {
        requireMode(Cipher.ENCRYPT_MODE);
        try {
            init(counter);
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            return cipher.doFinal(work, 0, length, work, 0);
        } catch (GeneralSecurityException e) {
            // Reached only on a reused counter or a too-small buffer: both caller bugs.
            throw new IllegalStateException("seal failed", e);
        }
    }

    /**
     * Opens all of {@code src} (ciphertext || tag) into {@code dst}. On success both positions
     * advance; on failure returns false, positions are restored and dst's bytes are unspecified.
     */
    public boolean open(long counter, ByteBuffer src, ByteBuffer dst) {
        return open(counter, src, dst, null);
    }

    /**
     * Opens {@code work[0, length)} (ciphertext || tag) in place: the plaintext ends up in
     * {@code work[0, length - 16)}. False if it does not authenticate (then work's bytes are unspecified).
     */
    public boolean openInPlace(long counter, byte[] work, int length) {
        requireMode(Cipher.DECRYPT_MODE);
        return length >= Protocol.TAG_SIZE && open(counter, work, length, null);
    }

    boolean open(long counter, ByteBuffer src, ByteBuffer dst, byte[] aad) {
        requireMode(Cipher.DECRYPT_MODE);
        if (src.remaining() < Protocol.TAG_SIZE || dst.remaining() < src.remaining() - Protocol.TAG_SIZE) {
            return false;
        }
        int length = src.remaining();
        byte[] work = scratch(length);
        src.get(src.position(), work, 0, length);
        if (!open(counter, work, length, aad)) {
            return false;  // positions untouched
        }
        src.position(src.position() + length);
        dst.put(work, 0, length - Protocol.TAG_SIZE);
        return true;
    }

    private boolean open(long counter, byte[] work, int length, byte[] aad) {
        requireMode(Cipher.DECRYPT_MODE);
        try {
            init(counter);
            if (aad != null) {
                cipher.updateAAD(aad);
            }
            cipher.doFinal(work, 0, length, work, 0);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("open failed", e);
        }
    }

    /** Zeroes our key copy and re-keys the JDK cipher with zeros so its copy is overwritten too. */
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        Arrays.fill(key.bytes, (byte) 0);
        Arrays.fill(scratch, (byte) 0);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(new byte[ChaChaPoly.NONCE_SIZE]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean keyIsZero() {
        for (byte b : key.bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void init(long counter) throws GeneralSecurityException {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(mode, key, new IvParameterSpec(nonce));
    }

    private byte[] scratch(int length) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        return scratch;
    }

    private void requireMode(int expected) {
        if (destroyed) {
            throw new IllegalStateException("keypair destroyed");
        }
        if (mode != expected) {
            throw new IllegalStateException("wrong direction for this cipher");
        }
    }

    /** Unlike SecretKeySpec, lets us zero the one copy we own. */
    private static final class RawKey implements SecretKey {
        private static final long serialVersionUID = 1L;
        private final transient byte[] bytes;

        RawKey(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String getAlgorithm() {
            return "ChaCha20";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return bytes.clone();
        }
    }
}
