package io.ocbridge.core.overlay;

import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Under load, limits the handshake messages accepted from one source address to
 * {@value #PACKETS_PER_SECOND}/s with a burst of {@value #BURST} (WireGuard's numbers): a token
 * bucket per IPv4 address or IPv6 /64 (as the kernel keys it), in a fixed-size table that never
 * grows. One owner thread (the overlay's event loop); no allocation per packet.
 *
 * <p>The table is set-associative: {@value #WAYS} slots per bucket, no chains. An entry idle for
 * {@link #REFILL_NANOS} has a full bucket again, so it is as good as absent and may be reused for a
 * new source; when all slots of a bucket are busy, a new source is refused (counted by the caller),
 * as the kernel refuses once its table is full. {@link #sweep} frees entries idle for a second.
 */
final class HandshakeRateLimiter {
    static final int PACKETS_PER_SECOND = 20;
    static final int BURST = 5;
    /** Cost of one packet in tokens, which are nanoseconds of credit. */
    static final long PACKET_COST_NANOS = 1_000_000_000L / PACKETS_PER_SECOND;
    static final long MAX_TOKENS_NANOS = PACKET_COST_NANOS * BURST;
    /** Time for an empty bucket to refill completely. */
    static final long REFILL_NANOS = MAX_TOKENS_NANOS;
    /** Entries idle this long are freed by {@link #sweep} (wireguard-go's garbage-collect time). */
    static final long IDLE_NANOS = 1_000_000_000L;
    /** Implementation choice: 8192 sources at once, as the kernel's table on a host with 1 GiB+. */
    static final int CAPACITY = 8192;
    private static final int WAYS = 4;
    private static final int BUCKET_MASK = CAPACITY / WAYS - 1;

    private static final byte EMPTY = 0;
    private static final byte IPV4 = 4;
    private static final byte IPV6 = 6;

    private final LongSupplier nanoClock;
    /** Per-instance hash seed, so an attacker cannot aim its sources at one bucket. */
    private final long seed = ThreadLocalRandom.current().nextLong() | 1;
    private final byte[] family = new byte[CAPACITY];
    private final long[] keys = new long[CAPACITY];
    private final long[] tokens = new long[CAPACITY];
    private final long[] lastNanos = new long[CAPACITY];
    private int size;
    /** New sources refused because every slot of their bucket was busy (the table's bound, not their rate). */
    private long tableFull;
    private long lastSweepNanos;

    HandshakeRateLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * True if one more handshake message from this address may be processed. {@code address} holds
     * the raw address in its first {@code length} bytes: 4 for IPv4, 16 for IPv6 (borrowed).
     */
    boolean allow(byte[] address, int length) {
        if (length == 4) {
            return allow(IPV4, (address[0] & 0xffL) << 24 | (address[1] & 0xffL) << 16
                    | (address[2] & 0xffL) << 8 | (address[3] & 0xffL));
        }
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = prefix << 8 | (address[i] & 0xffL);
        }
        return allow(IPV6, prefix);
    }

    boolean allow(InetAddress address) {
        byte[] raw = address.getAddress();
        return allow(raw, raw.length);
    }

    private boolean allow(byte kind, long key) {
        long now = nanoClock.getAsLong();
        int base = bucket(kind, key) * WAYS;
        int free = -1;
        for (int slot = base; slot < base + WAYS; slot++) {
            if (family[slot] == kind && keys[slot] == key) {
                long available = Math.min(MAX_TOKENS_NANOS, tokens[slot] + (now - lastNanos[slot]));
                lastNanos[slot] = now;
                if (available >= PACKET_COST_NANOS) {
                    tokens[slot] = available - PACKET_COST_NANOS;
                    return true;
                }
                tokens[slot] = available;
                return false;
            }
            if (free < 0 && (family[slot] == EMPTY || now - lastNanos[slot] >= REFILL_NANOS)) {
                free = slot;
            }
        }
        if (free < 0) {
            tableFull++;
            return false;  // every slot of the bucket holds a source that is still spending
        }
        if (family[free] == EMPTY) {
            size++;
        }
        family[free] = kind;
        keys[free] = key;
        tokens[free] = MAX_TOKENS_NANOS - PACKET_COST_NANOS;
        lastNanos[free] = now;
        return true;
    }

    /** Frees entries idle for {@link #IDLE_NANOS}; at most one pass a second. Call from the overlay's tick. */
    void sweep() {
        long now = nanoClock.getAsLong();
        if (size == 0 || now - lastSweepNanos < IDLE_NANOS) {
            return;
        }
        lastSweepNanos = now;
        for (int slot = 0; slot < CAPACITY; slot++) {
            if (family[slot] != EMPTY && now - lastNanos[slot] >= IDLE_NANOS) {
                family[slot] = EMPTY;
                size--;
            }
        }
    }

    /** Sources currently held; never more than {@link #CAPACITY}. */
    int size() {
        return size;
    }

    /** New sources refused because the table (their bucket of it) was full; the caller counts them RATE_LIMITED too. */
    long tableFull() {
        return tableFull;
    }

    private int bucket(byte kind, long key) {
        long h = (key ^ kind) * seed;  // fmix64 (MurmurHash3's finalizer) over a seeded product
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & BUCKET_MASK;
    }
}
