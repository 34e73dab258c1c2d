package io.ocbridge.crypto.hash;

import io.ocbridge.crypto.Protocol;
import java.nio.ByteBuffer;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/** The whitepaper's HASH (BLAKE2s-256) and MAC (keyed BLAKE2s-128). Stateless and thread-safe. */
public final class Blake2s {

    private Blake2s() {
    }

    /** HASH(parts[0] || parts[1] || ...). */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest digest = new Blake2sDigest(Protocol.HASH_SIZE * 8);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[Protocol.HASH_SIZE];
        digest.doFinal(out, 0);
        return out;
    }

    /** MAC(key, data): keyed BLAKE2s with a 16-byte output, written to {@code out[outOffset..]}. */
    public static void mac(byte[] key, byte[] data, int offset, int length, byte[] out, int outOffset) {
        Blake2sDigest digest = new Blake2sDigest(key, Protocol.MAC_SIZE, null, null);
        digest.update(data, offset, length);
        digest.doFinal(out, outOffset);
    }

    /** MAC(key, buf[index..index+length)) without moving the buffer's position. */
    public static void mac(byte[] key, ByteBuffer buf, int index, int length, byte[] out, int outOffset) {
        byte[] data;
        int offset;
        if (buf.hasArray()) {
            data = buf.array();
            offset = buf.arrayOffset() + index;
        } else {
            // Direct buffers: handshake messages are at most 148 bytes, a copy is cheap.
            data = new byte[length];
            buf.get(index, data);
            offset = 0;
        }
        mac(key, data, offset, length, out, outOffset);
    }
}
