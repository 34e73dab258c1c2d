package io.ocbridge.core.l2;

import io.netty.util.collection.LongObjectHashMap;
import java.util.Iterator;

/**
 * IP → MAC bindings learned from ARP and Neighbor Advertisements that came from peers, used to
 * answer local ARP requests and Neighbor Solicitations (ARP/ND suppression). Bounded and aged like
 * the MAC table. IPv4 keys are the address; IPv6 keys are a hash of the address, and each entry
 * keeps the full address, so a collision only costs a missed answer (the request then floods).
 * Each binding is charged to the peer it came from, which may hold at most {@code perOwnerLimit}
 * of them, so one peer announcing addresses cannot crowd out the others. One owner thread; no
 * allocation per lookup.
 */
public final class NeighborTable {
    /** What {@link #learnV4}/{@link #learnV6} did. */
    public enum Learned {
        NEW, REFRESHED, CHANGED, FULL,
        /** The peer holds its share of the table: not learned. */
        SHARE_FULL
    }

    private static final class Entry {
        long high;
        long low;
        long mac;
        long lastSeenNanos;
        Object owner;
    }

    private static final long V4_TAG = 1L << 32;

    private final LongObjectHashMap<Entry> entries = new LongObjectHashMap<>();
    /** Bindings per owner. */
    private final HeldCounts<Object> held = new HeldCounts<>();
    private final int capacity;
    private final int perOwnerLimit;
    private final long agingNanos;

    /** At most {@code capacity} bindings, {@code perOwnerLimit} of them from any one owner. */
    public NeighborTable(int capacity, int perOwnerLimit, long agingNanos) {
        this.capacity = capacity;
        this.perOwnerLimit = perOwnerLimit;
        this.agingNanos = agingNanos;
    }

    /** Binds {@code ip} to {@code mac}, as announced by {@code owner} (compared by identity). */
    public Learned learnV4(int ip, long mac, Object owner, long now) {
        return learn(v4Key(ip), 0, ip & 0xffff_ffffL, mac, owner, now);
    }

    public Learned learnV6(long high, long low, long mac, Object owner, long now) {
        return learn(v6Key(high, low), high, low, mac, owner, now);
    }

    /** The MAC bound to {@code ip}, or -1. */
    public long lookupV4(int ip, long now) {
        return lookup(v4Key(ip), 0, ip & 0xffff_ffffL, now);
    }

    /** The MAC bound to the IPv6 address {@code high:low}, or -1. */
    public long lookupV6(long high, long low, long now) {
        return lookup(v6Key(high, low), high, low, now);
    }

    private Learned learn(long key, long high, long low, long mac, Object owner, long now) {
        Entry entry = entries.get(key);
        if (entry != null) {
            if (entry.owner != owner) {
                if (heldBy(owner) >= perOwnerLimit) {
                    return Learned.SHARE_FULL;
                }
                count(entry.owner, -1);
                count(owner, 1);
                entry.owner = owner;
            }
            boolean same = entry.high == high && entry.low == low && entry.mac == mac;
            entry.high = high;
            entry.low = low;
            entry.mac = mac;
            entry.lastSeenNanos = now;
            return same ? Learned.REFRESHED : Learned.CHANGED;
        }
        if (entries.size() >= capacity) {
            return Learned.FULL;
        }
        if (heldBy(owner) >= perOwnerLimit) {
            return Learned.SHARE_FULL;
        }
        entry = new Entry();
        entry.high = high;
        entry.low = low;
        entry.mac = mac;
        entry.lastSeenNanos = now;
        entry.owner = owner;
        count(owner, 1);
        entries.put(key, entry);
        return Learned.NEW;
    }

    /** How many bindings {@code owner} holds. */
    public int heldBy(Object owner) {
        return held.of(owner);
    }

    private void count(Object owner, int delta) {
        held.add(owner, delta);
    }

    private long lookup(long key, long high, long low, long now) {
        Entry entry = entries.get(key);
        if (entry == null || entry.high != high || entry.low != low || now - entry.lastSeenNanos >= agingNanos) {
            return -1;
        }
        return entry.mac;
    }

    /** Removes aged entries; returns how many. Called on the owner's tick, not per frame. */
    public int expire(long now) {
        int removed = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            if (now - entry.lastSeenNanos >= agingNanos) {
                count(entry.owner, -1);
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    public int size() {
        return entries.size();
    }

    private static long v4Key(int ip) {
        return V4_TAG | (ip & 0xffff_ffffL);
    }

    /** Never collides with a v4 key: v4 keys have bit 32 set, v6 keys have it clear. */
    private static long v6Key(long high, long low) {
        long h = high * 0x9E3779B97F4A7C15L ^ low;
        h ^= h >>> 29;
        return h & ~V4_TAG;
    }
}
