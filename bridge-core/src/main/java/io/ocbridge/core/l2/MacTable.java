package io.ocbridge.core.l2;

import io.netty.util.collection.LongObjectHashMap;

/**
 * Where each remote MAC address lives: a bounded learning table with aging, keyed by the 48-bit
 * address in a long (no allocation per lookup). A MAC that shows up behind a different owner is
 * a move. Damping: a MAC that moves more than {@code flapLimit} times within
 * {@link #FLAP_WINDOW_NANOS} is frozen to its current owner for {@code holdNanos}; while frozen,
 * learning it behind another owner is refused ({@link Learned#DAMPED}). One owner thread.
 *
 * @param <T> what a MAC maps to (a segment port)
 */
public final class MacTable<T> {
    /** What {@link #learn} did. */
    public enum Learned {
        NEW, REFRESHED, MOVED, FULL,
        /** This move exceeded the flap limit: the MAC is now frozen to its owner; refuse the frame. */
        FROZEN,
        /** The MAC is frozen to another owner; refuse the frame. */
        DAMPED
    }

    /** Moves are counted over this window for damping. */
    public static final long FLAP_WINDOW_NANOS = 10_000_000_000L;

    private static final class Entry<T> {
        T owner;
        long lastSeenNanos;
        long lastMoveNanos;
        long windowStartNanos;
        int movesInWindow;
        long frozenUntilNanos;
        boolean frozen;
    }

    private final LongObjectHashMap<Entry<T>> entries = new LongObjectHashMap<>();
    private final int capacity;
    private final long agingNanos;
    private final int flapLimit;
    private final long holdNanos;

    /** Without damping. */
    public MacTable(int capacity, long agingNanos) {
        this(capacity, agingNanos, 0, 0);
    }

    /** {@code flapLimit} 0 turns damping off. */
    public MacTable(int capacity, long agingNanos, int flapLimit, long holdNanos) {
        this.capacity = capacity;
        this.agingNanos = agingNanos;
        this.flapLimit = flapLimit;
        this.holdNanos = holdNanos;
    }

    /** Records that {@code mac} was seen behind {@code owner} at {@code now}. */
    public Learned learn(long mac, T owner, long now) {
        Entry<T> entry = entries.get(mac);
        if (entry != null) {
            if (entry.owner == owner) {
                entry.lastSeenNanos = now;
                return Learned.REFRESHED;
            }
            if (entry.frozen && entry.frozenUntilNanos - now > 0) {
                return Learned.DAMPED;
            }
            entry.frozen = false;
            if (now - entry.windowStartNanos >= FLAP_WINDOW_NANOS) {
                entry.windowStartNanos = now;
                entry.movesInWindow = 0;
            }
            entry.movesInWindow++;
            if (flapLimit > 0 && entry.movesInWindow > flapLimit) {
                entry.frozen = true;
                entry.frozenUntilNanos = now + holdNanos;
                entry.movesInWindow = 0;
                entry.windowStartNanos = now;
                entry.lastSeenNanos = now;  // the frozen owner stays reachable for the hold
                return Learned.FROZEN;
            }
            entry.lastSeenNanos = now;
            entry.owner = owner;
            entry.lastMoveNanos = now;
            return Learned.MOVED;
        }
        if (entries.size() >= capacity) {
            return Learned.FULL;
        }
        entry = new Entry<>();
        entry.owner = owner;
        entry.lastSeenNanos = now;
        entry.lastMoveNanos = now;
        entry.windowStartNanos = now;
        entries.put(mac, entry);
        return Learned.NEW;
    }

    /** Whether {@code mac} is frozen (damped) at {@code now}. */
    public boolean isFrozen(long mac, long now) {
        Entry<T> entry = entries.get(mac);
        return entry != null && entry.frozen && entry.frozenUntilNanos - now > 0;
    }

    /** The owner of {@code mac}, or null if unknown or aged out. */
    public T lookup(long mac, long now) {
        Entry<T> entry = entries.get(mac);
        if (entry == null || now - entry.lastSeenNanos >= agingNanos) {
            return null;
        }
        return entry.owner;
    }

    /** Nanoseconds since {@code mac} last moved between owners, or -1 if unknown. */
    public long sinceLastMove(long mac, long now) {
        Entry<T> entry = entries.get(mac);
        return entry == null ? -1 : now - entry.lastMoveNanos;
    }

    /** Forgets every MAC learned behind {@code owner} (peer removed). */
    public void forget(T owner) {
        entries.values().removeIf(e -> e.owner == owner);
    }

    /** Removes aged entries; returns how many. Called on the owner's tick, not per frame. */
    public int expire(long now) {
        int before = entries.size();
        entries.values().removeIf(e -> now - e.lastSeenNanos >= agingNanos);
        return before - entries.size();
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }
}
