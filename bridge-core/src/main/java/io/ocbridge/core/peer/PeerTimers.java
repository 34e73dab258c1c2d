package io.ocbridge.core.peer;

import static io.ocbridge.crypto.Protocol.KEEPALIVE_TIMEOUT_NANOS;
import static io.ocbridge.crypto.Protocol.REJECT_AFTER_TIME_NANOS;
import static io.ocbridge.crypto.Protocol.REKEY_ATTEMPT_TIME_NANOS;
import static io.ocbridge.crypto.Protocol.REKEY_TIMEOUT_NANOS;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The whitepaper's per-peer timers (§6) as deadline fields, no timer objects. The owner (the
 * overlay's event loop) reports events as they happen and calls {@link #expire} on each tick; the
 * returned bit set says what to do. Deadlines are compared as {@code deadline - now <= 0} so they
 * survive nanoTime wrap. Not thread-safe: one owner.
 */
public final class PeerTimers {
    /** Send a handshake initiation again (previous one unanswered after REKEY_TIMEOUT). */
    public static final int RETRANSMIT_HANDSHAKE = 1;
    /** Give up on the handshake: drop packets waiting for it. */
    public static final int GIVE_UP_HANDSHAKE = 1 << 1;
    /** Send an empty transport packet (passive keepalive or persistent keepalive). */
    public static final int SEND_KEEPALIVE = 1 << 2;
    /** We sent data but heard nothing back: start a fresh handshake. */
    public static final int NEW_HANDSHAKE = 1 << 3;
    /** No session for 3 * REJECT_AFTER_TIME: erase all key material. */
    public static final int ZERO_KEY_MATERIAL = 1 << 4;
    /** Initiations crossed and we are the side that initiates again (see {@link #initiationsCrossed}). */
    public static final int INITIATE_AFTER_CROSSING = 1 << 5;

    /**
     * How long after crossed initiations we initiate again: past the 20 ms a responder requires between two
     * initiations from one peer, and past wireguard-go's timestamp granularity (2^24 ns), or the new initiation
     * would be refused as too frequent or as a replay.
     */
    static final long CROSSING_DELAY_NANOS = 50_000_000L;

    /** REKEY_ATTEMPT_TIME / REKEY_TIMEOUT: how many initiations one handshake attempt may send. */
    static final int MAX_HANDSHAKE_ATTEMPTS = (int) (REKEY_ATTEMPT_TIME_NANOS / REKEY_TIMEOUT_NANOS);
    private static final long JITTER_NANOS = 333_000_000L;

    private long persistentKeepaliveNanos;

    private boolean retransmitArmed;
    private long retransmitDeadline;
    private int handshakeAttempts;

    private boolean keepaliveArmed;
    private long keepaliveDeadline;
    private boolean needAnotherKeepalive;

    private boolean newHandshakeArmed;
    private long newHandshakeDeadline;

    private boolean zeroKeysArmed;
    private long zeroKeysDeadline;

    private boolean persistentArmed;
    private long persistentDeadline;

    private boolean crossingArmed;
    private long crossingDeadline;

    public PeerTimers(int persistentKeepaliveSeconds) {
        this.persistentKeepaliveNanos = persistentKeepaliveSeconds * 1_000_000_000L;
    }

    private static long jitter() {
        return ThreadLocalRandom.current().nextLong(JITTER_NANOS);
    }

    /** A transport packet with payload was sent: expect to hear back before long. */
    public void dataSent(long now) {
        if (!newHandshakeArmed) {
            newHandshakeArmed = true;
            newHandshakeDeadline = now + KEEPALIVE_TIMEOUT_NANOS + REKEY_TIMEOUT_NANOS + jitter();
        }
    }

    /** A transport packet with payload was received: answer with a keepalive if we stay silent. */
    public void dataReceived(long now) {
        if (!keepaliveArmed) {
            keepaliveArmed = true;
            keepaliveDeadline = now + KEEPALIVE_TIMEOUT_NANOS;
        } else {
            needAnotherKeepalive = true;
        }
    }

    /** Any authenticated packet (data, keepalive, handshake) was sent. */
    public void anyAuthenticatedSent(long now) {
        keepaliveArmed = false;
    }

    /** Any authenticated packet was received. */
    public void anyAuthenticatedReceived(long now) {
        newHandshakeArmed = false;
    }

    /** Any authenticated packet went either way: restart the persistent keepalive interval. */
    public void anyAuthenticatedTraversal(long now) {
        if (persistentKeepaliveNanos > 0) {
            persistentArmed = true;
            persistentDeadline = now + persistentKeepaliveNanos;
        }
    }

    /** We sent a handshake initiation. */
    public void handshakeInitiated(long now) {
        retransmitArmed = true;
        retransmitDeadline = now + REKEY_TIMEOUT_NANOS + jitter();
    }

    /** A handshake completed (we got a response, or the first packet on a responder keypair). */
    public void handshakeComplete(long now) {
        retransmitArmed = false;
        handshakeAttempts = 0;
    }

    /** New transport keys exist: erase everything if no new session follows within 3 * REJECT_AFTER_TIME. */
    public void sessionDerived(long now) {
        zeroKeysArmed = true;
        zeroKeysDeadline = now + 3 * REJECT_AFTER_TIME_NANOS;
    }

    /** A new persistent-keepalive interval (0 = off); the next one is due an interval from {@code now}. */
    public void persistentKeepalive(int seconds, long now) {
        persistentKeepaliveNanos = seconds * 1_000_000_000L;
        persistentArmed = false;
        anyAuthenticatedTraversal(now);
    }

    /** Persistent keepalive from the start (so a NATed responder-only peer opens the path). */
    public void started(long now) {
        anyAuthenticatedTraversal(now);
    }

    /** Initiations crossed and we settle it: initiate again once {@link #CROSSING_DELAY_NANOS} passed. */
    public void initiationsCrossed(long now) {
        crossingArmed = true;
        crossingDeadline = now + CROSSING_DELAY_NANOS;
    }

    /** Disarms every timer: the peer's sessions are gone and nothing may go out for it (an HA standby). */
    public void reset() {
        retransmitArmed = false;
        handshakeAttempts = 0;
        keepaliveArmed = false;
        needAnotherKeepalive = false;
        newHandshakeArmed = false;
        zeroKeysArmed = false;
        persistentArmed = false;
        crossingArmed = false;
    }

    public boolean handshakeInProgress() {
        return retransmitArmed;
    }

    /** Fires every expired deadline and returns the actions (bit set of the constants above). */
    public int expire(long now) {
        int actions = 0;
        if (retransmitArmed && retransmitDeadline - now <= 0) {
            if (handshakeAttempts >= MAX_HANDSHAKE_ATTEMPTS) {
                retransmitArmed = false;
                handshakeAttempts = 0;
                actions |= GIVE_UP_HANDSHAKE;
                if (!zeroKeysArmed) {
                    zeroKeysArmed = true;
                    zeroKeysDeadline = now + 3 * REJECT_AFTER_TIME_NANOS;
                }
            } else {
                handshakeAttempts++;
                actions |= RETRANSMIT_HANDSHAKE;
            }
        }
        if (keepaliveArmed && keepaliveDeadline - now <= 0) {
            keepaliveArmed = false;
            actions |= SEND_KEEPALIVE;
            if (needAnotherKeepalive) {
                needAnotherKeepalive = false;
                keepaliveArmed = true;
                keepaliveDeadline = now + KEEPALIVE_TIMEOUT_NANOS;
            }
        }
        if (newHandshakeArmed && newHandshakeDeadline - now <= 0) {
            newHandshakeArmed = false;
            actions |= NEW_HANDSHAKE;
        }
        if (zeroKeysArmed && zeroKeysDeadline - now <= 0) {
            zeroKeysArmed = false;
            actions |= ZERO_KEY_MATERIAL;
        }
        if (persistentArmed && persistentDeadline - now <= 0) {
            persistentArmed = false;
            actions |= SEND_KEEPALIVE;
        }
        if (crossingArmed && crossingDeadline - now <= 0) {
            crossingArmed = false;
            actions |= INITIATE_AFTER_CROSSING;
        }
        return actions;
    }

    int handshakeAttempts() {
        return handshakeAttempts;
    }
}
