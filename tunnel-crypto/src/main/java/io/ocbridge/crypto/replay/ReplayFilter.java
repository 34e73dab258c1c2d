package io.ocbridge.crypto.replay;

/**
 * Sliding-window replay filter (RFC 6479 style): a ring of 64-bit blocks whose newest block is
 * partly in the future, so the usable window is the ring minus one block, 8128 counters.
 * Counters are unsigned 64-bit. Not thread-safe: one owner (the receive path of one keypair).
 */
public final class ReplayFilter {

    private static final int BLOCK_BITS_LOG = 6;
    private static final int BLOCK_BITS = 1 << BLOCK_BITS_LOG;
    private static final int RING_BLOCKS = 1 << 7;
    /** Counters at most this far behind the newest seen are still judged; older ones are dropped. */
    public static final long WINDOW_SIZE = (RING_BLOCKS - 1) * BLOCK_BITS;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /**
     * True the first time {@code counter} is seen within the window and it is below {@code limit}
     * (both unsigned); records it. False for duplicates, too-old and out-of-limit counters.
     */
    public boolean validateCounter(long counter, long limit) {
        if (Long.compareUnsigned(counter, limit) >= 0) {
            return false;
        }
        long blockIndex = counter >>> BLOCK_BITS_LOG;
        if (Long.compareUnsigned(counter, last) > 0) {
            // Moving forward: clear the blocks we skip over, at most the whole ring.
            long current = last >>> BLOCK_BITS_LOG;
            long diff = Math.min(blockIndex - current, RING_BLOCKS);
            for (long i = current + 1; i <= current + diff; i++) {
                ring[(int) (i & (RING_BLOCKS - 1))] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int slot = (int) (blockIndex & (RING_BLOCKS - 1));
        long bit = 1L << (counter & (BLOCK_BITS - 1));
        long old = ring[slot];
        ring[slot] = old | bit;
        return (old & bit) == 0;
    }

    public void reset() {
        last = 0;
        java.util.Arrays.fill(ring, 0);
    }
}
