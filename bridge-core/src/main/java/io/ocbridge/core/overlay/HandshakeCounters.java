package io.ocbridge.core.overlay;

import io.ocbridge.core.counters.EnumCounters;

/** Handshake events of one overlay; written by its event loop, readable from any thread. */
public final class HandshakeCounters extends EnumCounters<HandshakeCounters.Event> {
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
        /**
         * Of the FAILED: an authentic initiation whose TAI64N timestamp is not later than the last one
         * accepted from that peer (a replay, or the peer's clock stepped back).
         */
        REPLAYED_TIMESTAMP,
        /** Of the FAILED: an authentic initiation less than 20 ms after the last one accepted from that peer. */
        INITIATION_TOO_FREQUENT,
        /** An attempt given up after REKEY_ATTEMPT_TIME without an answer. */
        TIMED_OUT,
        /**
         * Of the COMPLETED: a session that started afresh: the first with the peer, from a new endpoint, or replacing a
         * session younger than a scheduled rekey (the peer restarted, or another gateway took over for it).
         */
        FRESH_SESSION,
    }

    public HandshakeCounters() {
        super(Event.class);
    }
}
