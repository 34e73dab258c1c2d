package io.ocbridge.core.counters;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One counter per value of an enum (drop reasons, handshake events, frame fates). Written by the
 * owning event loop, read from any thread (status, metrics) without locks.
 */
public class EnumCounters<E extends Enum<E>> {
    private final Class<E> type;
    private final E[] values;
    private final AtomicLongArray counts;

    protected EnumCounters(Class<E> type) {
        this.type = type;
        this.values = type.getEnumConstants();
        this.counts = new AtomicLongArray(values.length);
    }

    public final void increment(E value) {
        counts.incrementAndGet(value.ordinal());
    }

    public final long get(E value) {
        return counts.get(value.ordinal());
    }

    /** Every value with its count, in declaration order. */
    public final Map<E, Long> snapshot() {
        Map<E, Long> result = new EnumMap<>(type);
        for (E value : values) {
            result.put(value, counts.get(value.ordinal()));
        }
        return result;
    }
}
