package io.ocbridge.core.l2;

import io.netty.util.collection.LongObjectHashMap;
import java.util.function.LongConsumer;

/**
 * The unicast MACs seen recently as sources on the local side (the TAP), so that a peer whose session starts afresh
 * can be told where they live ({@link MacAnnouncer}). Bounded (a full table learns no more until entries age out) and
 * aged like the remote table. One owner thread; one lookup per local frame, an allocation only for a new MAC.
 */
final class LocalMacs {
    private static final class Seen {
        long lastSeenNanos;
    }

    private final LongObjectHashMap<Seen> macs = new LongObjectHashMap<>();
    private final int capacity;
    private final long agingNanos;

    LocalMacs(int capacity, long agingNanos) {
        this.capacity = capacity;
        this.agingNanos = agingNanos;
    }

    /** Records {@code mac} as a local source at {@code now}. */
    void seen(long mac, long now) {
        Seen entry = macs.get(mac);
        if (entry == null) {
            if (macs.size() >= capacity) {
                return;
            }
            entry = new Seen();
            macs.put(mac, entry);
        }
        entry.lastSeenNanos = now;
    }

    /** Every MAC not aged out at {@code now}. */
    void forEachLive(long now, LongConsumer action) {
        for (LongObjectHashMap.PrimitiveEntry<Seen> e : macs.entries()) {
            if (now - e.value().lastSeenNanos < agingNanos) {
                action.accept(e.key());
            }
        }
    }

    void expire(long now) {
        macs.values().removeIf(s -> now - s.lastSeenNanos >= agingNanos);
    }

    int size() {
        return macs.size();
    }
}
