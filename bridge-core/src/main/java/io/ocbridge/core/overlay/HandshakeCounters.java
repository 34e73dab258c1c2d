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
        /** An attempt given up after REKEY_ATTEMPT_TIME without an answer. */
        TIMED_OUT,
    }

    public HandshakeCounters() {
        super(Event.class);
    }
}
