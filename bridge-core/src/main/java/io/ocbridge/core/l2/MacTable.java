package io.ocbridge.core.l2;

import io.netty.util.collection.LongObjectHashMap;
import java.util.Iterator;

/**
 * Where each MAC address lives: behind a remote owner (a peer) or on the {@code local} side. A bounded learning table
 * with aging, keyed by the 48-bit address in a long (no allocation per lookup). A MAC that shows up behind a
 * different owner is a move. One owner thread.
 *
 * <p>Damping: a MAC that moves more than {@code flapLimit} times within {@link #FLAP_WINDOW_NANOS} is frozen for
 * {@code holdNanos}, and while frozen, learning it behind another remote owner is refused ({@link Learned#DAMPED}).
 * It is frozen to its keeper, never simply to whoever held it last (an attacker can time its frames to be that):
 * the local side if it held the MAC within the window, else the long-standing owner (one that held it for a whole
 * window without a move), else the current owner. The local side is never refused: it takes a frozen MAC over.
 *
 * <p>Shares: the table holds at most {@code capacity} remote MACs, and each remote owner at most
 * {@code perOwnerLimit} of them ({@link Learned#SHARE_FULL}), so one peer flooding source MACs cannot crowd out the
 * others. Local MACs are bounded by {@code capacity} on their own, and are not counted in {@link #size}.
 *
 * @param <T> what a MAC maps to (a segment port), compared by identity
 */
public final class MacTable<T> {
    /** What {@link #learn} did. */
    public enum Learned {
        NEW, REFRESHED, MOVED,
        /** The table holds {@code capacity} MACs of this kind (remote or local): not learned. */
        FULL,
        /** This remote owner holds its share of the table: not learned. */
        SHARE_FULL,
        /** This move exceeded the flap limit: the MAC is now frozen to another owner (its keeper); refuse the frame. */
        FROZEN,
        /** This move exceeded the flap limit and the MAC is now frozen to this owner, its keeper; take the frame. */
        KEPT,
        /** The MAC is frozen to another owner; refuse the frame. */
        DAMPED
    }

    /** Moves are counted over this window for damping; an owner that held a MAC this long is its long-standing owner. */
    public static final long FLAP_WINDOW_NANOS = 10_000_000_000L;

    private static final class Entry<T> {
        T owner;
        long lastSeenNanos;
        long lastMoveNanos;
        long windowStartNanos;
        int movesInWindow;
        long frozenUntilNanos;
        boolean frozen;
        /** The owner that held this MAC a whole flap window without a move, or null. */
        T incumbent;
        /** When the local side last held the MAC; meaningful only if {@link #localEver}. */
        long localSeenNanos;
        boolean localEver;
    }

    private final LongObjectHashMap<Entry<T>> entries = new LongObjectHashMap<>();
    /** MACs per remote owner. */
    private final HeldCounts<T> held = new HeldCounts<>();
    private final int capacity;
    private final int perOwnerLimit;
    private final long agingNanos;
    private final int flapLimit;
    private final long holdNanos;
    private final T local;
    private int localCount;

    /** Without damping, shares or a local side. */
    public MacTable(int capacity, long agingNanos) {
        this(capacity, capacity, agingNanos, 0, 0, null);
    }

    /**
     * {@code flapLimit} 0 turns damping off; {@code local} is the owner that stands for the local side (null: none);
     * {@code perOwnerLimit} bounds each remote owner's MACs.
     */
    public MacTable(int capacity, int perOwnerLimit, long agingNanos, int flapLimit, long holdNanos, T local) {
        this.capacity = capacity;
        this.perOwnerLimit = perOwnerLimit;
        this.agingNanos = agingNanos;
        this.flapLimit = flapLimit;
        this.holdNanos = holdNanos;
        this.local = local;
    }

    /** Records that {@code mac} was seen behind {@code owner} at {@code now}. */
    public Learned learn(long mac, T owner, long now) {
        Entry<T> entry = entries.get(mac);
        if (entry == null) {
            Learned room = room(owner, null);
            if (room != null) {
                return room;
            }
            entry = new Entry<>();
            entry.lastMoveNanos = now;
            entry.windowStartNanos = now;
            assign(entry, owner, now);
            entries.put(mac, entry);
            return Learned.NEW;
        }
        if (entry.owner == owner) {
            entry.lastSeenNanos = now;
            if (owner == local) {
                entry.localSeenNanos = now;
            }
            settle(entry, now);
            return Learned.REFRESHED;
        }
        boolean frozen = entry.frozen && entry.frozenUntilNanos - now > 0;
        if (frozen && owner != local) {
            return Learned.DAMPED;
        }
        Learned room = room(owner, entry);
        if (room != null) {
            return room;
        }
        settle(entry, now);
        if (frozen) {  // the local side takes a frozen MAC over, and keeps it frozen
            move(entry, owner, now);
            return Learned.MOVED;
        }
        entry.frozen = false;
        if (now - entry.windowStartNanos >= FLAP_WINDOW_NANOS) {
            entry.windowStartNanos = now;
            entry.movesInWindow = 0;
        }
        entry.movesInWindow++;
        if (flapLimit > 0 && entry.movesInWindow > flapLimit) {
            T keeper = keeper(entry, owner, now);
            entry.frozen = true;
            entry.frozenUntilNanos = now + holdNanos;
            entry.movesInWindow = 0;
            entry.windowStartNanos = now;
            if (keeper != entry.owner && room(keeper, entry) == null) {
                move(entry, keeper, now);
            }
            entry.lastSeenNanos = now;  // the keeper stays reachable for the hold
            return entry.owner == owner ? Learned.KEPT : Learned.FROZEN;
        }
        move(entry, owner, now);
        return Learned.MOVED;
    }

    /** Null if {@code owner} may take one more MAC ({@code entry}'s, or a new one if null), else why not. */
    private Learned room(T owner, Entry<T> entry) {
        if (owner == local) {
            return localCount < capacity ? null : Learned.FULL;
        }
        boolean addsRemote = entry == null || entry.owner == local;
        if (addsRemote && size() >= capacity) {
            return Learned.FULL;
        }
        return held.of(owner) < perOwnerLimit ? null : Learned.SHARE_FULL;
    }

    /** Who a MAC that just exceeded the flap limit is frozen to, {@code mover} trying to take it. */
    private T keeper(Entry<T> entry, T mover, long now) {
        if (local != null && (mover == local || entry.localEver && now - entry.localSeenNanos < FLAP_WINDOW_NANOS)) {
            return local;
        }
        return entry.incumbent != null ? entry.incumbent : entry.owner;
    }

    /** The current owner becomes the incumbent once it has held the MAC a whole window without a move. */
    private void settle(Entry<T> entry, long now) {
        if (now - entry.lastMoveNanos >= FLAP_WINDOW_NANOS) {
            entry.incumbent = entry.owner;
        }
    }

    private void move(Entry<T> entry, T owner, long now) {
        count(entry.owner, -1);
        assign(entry, owner, now);
        entry.lastMoveNanos = now;
    }

    private void assign(Entry<T> entry, T owner, long now) {
        entry.owner = owner;
        entry.lastSeenNanos = now;
        if (owner == local) {
            entry.localEver = true;
            entry.localSeenNanos = now;
        }
        count(owner, 1);
    }

    private void count(T owner, int delta) {
        if (owner == local) {
            localCount += delta;
            return;
        }
        held.add(owner, delta);
    }

    /** Whether {@code mac} is frozen (damped) at {@code now}. */
    public boolean isFrozen(long mac, long now) {
        Entry<T> entry = entries.get(mac);
        return entry != null && entry.frozen && entry.frozenUntilNanos - now > 0;
    }

    /** The remote owner of {@code mac}, or null if unknown, aged out, or on the local side. */
    public T lookup(long mac, long now) {
        Entry<T> entry = entries.get(mac);
        if (entry == null || now - entry.lastSeenNanos >= agingNanos || entry.owner == local) {
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
        removeIf(owner, false, 0);
    }

    /** Removes aged entries; returns how many. Called on the owner's tick, not per frame. */
    public int expire(long now) {
        return removeIf(null, true, now);
    }

    /** Removes the entries of {@code owner}, or if {@code aged} those not seen for the aging time at {@code now}. */
    private int removeIf(T owner, boolean aged, long now) {
        int removed = 0;
        for (Iterator<Entry<T>> it = entries.values().iterator(); it.hasNext(); ) {
            Entry<T> entry = it.next();
            if (aged ? now - entry.lastSeenNanos >= agingNanos : entry.owner == owner) {
                count(entry.owner, -1);
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /** Remote MACs held. */
    public int size() {
        return entries.size() - localCount;
    }

    /** How many remote MACs {@code owner} holds. */
    public int heldBy(T owner) {
        return held.of(owner);
    }

    public int capacity() {
        return capacity;
    }
}
