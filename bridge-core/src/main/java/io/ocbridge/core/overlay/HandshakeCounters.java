package io.ocbridge.core.overlay;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Handshake events of one overlay; written by its event loop, readable from any thread. */
public final class HandshakeCounters {
    public enum Event {
        INITIATION_SENT,
        INITIATION_RECEIVED,
        RESPONSE_SENT,
        RESPONSE_RECEIVED,
        COOKIE_REPLY_SENT,
        COOKIE_REPLY_RECEIVED,
        /** A session became current (either role). */
        COMPLETED,
        /** A handshake message that passed MAC1 but failed Noise (wrong key, replay, bad PSK). */
        FAILED,
        /** An attempt given up after REKEY_ATTEMPT_TIME without an answer. */
        TIMED_OUT,
    }

    private final AtomicLongArray counts = new AtomicLongArray(Event.values().length);

    void increment(Event event) {
        counts.incrementAndGet(event.ordinal());
    }

    public long get(Event event) {
        return counts.get(event.ordinal());
    }

    public Map<Event, Long> snapshot() {
        Map<Event, Long> result = new EnumMap<>(Event.class);
        for (Event e : Event.values()) {
            result.put(e, counts.get(e.ordinal()));
        }
        return result;
    }
}
