package io.ocbridge.crypto.hash;

import io.ocbridge.crypto.Protocol;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * HMAC-BLAKE2s and the whitepaper's KDF_n (HKDF with BLAKE2s): τ0 = HMAC(key, input),
 * τi = HMAC(τ0, τ(i-1) || i). Outputs may alias {@code key} or {@code input}.
 */
public final class Kdf {

    private Kdf() {
    }

    public static void hmac(byte[] key, byte[] out, byte[]... parts) {
        HMac hmac = new HMac(new Blake2sDigest(Protocol.HASH_SIZE * 8));
        hmac.init(new KeyParameter(key));
        for (byte[] part : parts) {
            hmac.update(part, 0, part.length);
        }
        hmac.doFinal(out, 0);
    }

    /** Fills 1 to 3 32-byte outputs with KDF_n(key, input), n = outputs.length. */
    public static void derive(byte[] key, byte[] input, byte[]... outputs) {
        if (outputs.length < 1 || outputs.length > 3) {
            throw new IllegalArgumentException("KDF yields 1 to 3 outputs");
        }
        byte[] prk = new byte[Protocol.HASH_SIZE];
        byte[] previous = new byte[Protocol.HASH_SIZE];
        byte[] counter = new byte[1];
        hmac(key, prk, input);
        for (int i = 0; i < outputs.length; i++) {
            counter[0] = (byte) (i + 1);
            if (i == 0) {
                hmac(prk, previous, counter);
            } else {
                hmac(prk, previous, previous, counter);
            }
            System.arraycopy(previous, 0, outputs[i], 0, Protocol.HASH_SIZE);
        }
        Arrays.fill(prk, (byte) 0);
        Arrays.fill(previous, (byte) 0);
    }
}
