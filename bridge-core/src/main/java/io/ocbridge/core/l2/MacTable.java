package io.ocbridge.core.l2;

import io.netty.util.collection.LongObjectHashMap;
import java.util.Iterator;

/**
 * Where each remote MAC address lives: a bounded learning table with aging, keyed by the 48-bit
 * address in a long (no allocation per lookup). A MAC that shows up behind a different owner is
 * a move; many moves in a short time are a flap (loop or duplicate MAC), which callers count and
 * damp. One owner thread.
 *
 * @param <T> what a MAC maps to (a segment member)
 */
public final class MacTable<T> {
    /** What {@link #learn} did. */
    public enum Learned { NEW, REFRESHED, MOVED, FULL }

    private static final class Entry<T> {
        T owner;
        long lastSeenNanos;
        long lastMoveNanos;
    }

    private final LongObjectHashMap<Entry<T>> entries = new LongObjectHashMap<>();
    private final int capacity;
    private final long agingNanos;

    public MacTable(int capacity, long agingNanos) {
        this.capacity = capacity;
        this.agingNanos = agingNanos;
    }

    /** Records that {@code mac} was seen behind {@code owner} at {@code now}. */
    public Learned learn(long mac, T owner, long now) {
        Entry<T> entry = entries.get(mac);
        if (entry != null) {
            entry.lastSeenNanos = now;
            if (entry.owner == owner) {
                return Learned.REFRESHED;
            }
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
        entries.put(mac, entry);
        return Learned.NEW;
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

    /** Removes aged entries; returns how many. */
    public int expire(long now) {
        int removed = 0;
        Iterator<Entry<T>> it = entries.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().lastSeenNanos >= agingNanos) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }
}
