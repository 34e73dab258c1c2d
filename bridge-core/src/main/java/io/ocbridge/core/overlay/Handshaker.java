package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.IndexTable;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.peer.PeerTimers;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieChecker;
import io.ocbridge.crypto.noise.HandshakeFailure;
import io.ocbridge.crypto.noise.Handshakes;
import io.ocbridge.crypto.noise.InitiationResult;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.wire.CookieReply;
import io.ocbridge.crypto.wire.Initiation;
import io.ocbridge.crypto.wire.Response;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Both sides of the WireGuard handshake for one overlay: sending initiations (on demand, and when a peer's timers say
 * so), and answering initiations, responses and cookie replies from the network, up to the moment a session becomes
 * current. One owner thread, the overlay's event loop.
 *
 * <p>Handshake messages are kept apart from data. {@link Outside} hands each one to {@link #offer}, which checks its
 * size and MAC1 (one BLAKE2s) and queues a copy in a bounded queue, fair across source addresses
 * ({@link HandshakeQueue}); a full queue drops it, counted as {@link DropReason#HANDSHAKE_QUEUE_FULL}. The loop runs
 * {@link #processQueued} after each burst of datagrams and on each tick; it spends at most
 * {@value #SHARE_PERCENT}% of the loop's time on handshakes (a token bucket of nanoseconds), so a flood of initiations
 * costs the data path at most that share plus the reads, and a legitimate initiator from another address is served
 * within one round of the queue.
 *
 * <pre>
 *   datagram ─▶ offer: size, MAC1 ─▶ HandshakeQueue (per source, bounded) ─▶ processQueued (time budget)
 *     ─▶ under load? MAC2, or a cookie reply (per-source share) ─▶ per-source rate ─▶ Noise ─▶ response / session
 * </pre>
 */
final class Handshaker {
    /** Handshake messages per second above which we demand cookies (MAC2) from initiators. */
    static final int UNDER_LOAD_HANDSHAKES_PER_SECOND = 64;
    /** Queued messages from which we demand cookies, as WireGuard does at an eighth of its queue. */
    static final int UNDER_LOAD_QUEUED = HandshakeQueue.CAPACITY / 8;
    /** The share of the event loop's time handshakes may take while there is more to do. */
    static final int SHARE_PERCENT = 25;
    /** Most handshake work in one go, so a data packet never waits longer behind handshakes. */
    static final long MAX_BURST_NANOS = 1_000_000L;
    private static final long FAILURE_LOG_INTERVAL_NANOS = 5_000_000_000L;
    /** At most one immediate resend per peer per this interval when a cookie reply arrives (see {@link Peer}). */
    private static final long COOKIE_RETRY_INTERVAL_NANOS = 1_000_000_000L;
    /** A session younger than this, replaced by a handshake, was not due for a rekey: the peer started afresh. */
    private static final long SCHEDULED_REKEY_NANOS = Protocol.REKEY_AFTER_TIME_NANOS - Protocol.REKEY_TIMEOUT_NANOS;
    /** {@link Peer#FRESH_STARTS_REMEMBERED} live sessions replaced within this window: two gateways with one key. */
    private static final long SPLIT_BRAIN_WINDOW_NANOS = 60_000_000_000L;

    /** What the handshake needs from the sessions it creates. */
    interface Sessions {
        /** Whether this gateway speaks for the site (not an HA standby). */
        boolean active();

        /** Sends the packets that waited for a session; true if at least one went out. */
        boolean sendStaged(Peer peer);

        /** Sends an empty transport packet, or starts a handshake that will carry one. */
        void sendKeepalive(Peer peer);

        /** A session with {@code peer} started afresh (first, new endpoint, or the peer restarted). */
        void startedAfresh(Peer peer);
    }

    private final LocalIdentity identity;
    private final PeerRegistry registry;
    private final OverlayIo io;
    private final DropCounters drops;
    private final HandshakeCounters counters = new HandshakeCounters();
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Log log;
    private final Sessions sessions;

    private final CookieChecker cookieChecker;
    private final HandshakeQueue queue = new HandshakeQueue();
    /** Under load, initiators with a valid MAC2: their share of our Diffie-Hellman. */
    private final HandshakeRateLimiter rateLimiter;
    /** Under load, initiators without one: their share of cookie replies (one is good for two minutes). */
    private final HandshakeRateLimiter cookieReplyLimiter;
    private final long[] lastFailureLogNanos = new long[Protocol.MESSAGE_TRANSPORT + 1];
    private long loadWindowStartNanos;
    private int handshakesInWindow;
    private boolean forceUnderLoad;
    /** Nanoseconds of handshake work the loop may still spend; refills at {@link #SHARE_PERCENT}% of elapsed time. */
    private long budgetNanos = MAX_BURST_NANOS;
    private long budgetRefilledNanos;

    Handshaker(LocalIdentity identity, PeerRegistry registry, OverlayIo io, DropCounters drops,
            LongSupplier nanoClock, Clock wallClock, Log log, Sessions sessions) {
        this.identity = identity;
        this.registry = registry;
        this.io = io;
        this.drops = drops;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.log = log;
        this.sessions = sessions;
        this.cookieChecker = new CookieChecker(identity.publicKey(), nanoClock);
        this.rateLimiter = new HandshakeRateLimiter(nanoClock);
        this.cookieReplyLimiter = new HandshakeRateLimiter(nanoClock);
        this.loadWindowStartNanos = nanoClock.getAsLong();
        this.budgetRefilledNanos = loadWindowStartNanos;
    }

    HandshakeCounters counters() {
        return counters;
    }

    /** Messages waiting in the queue. */
    int queued() {
        return queue.size();
    }

    /** Behave as if under load, so every handshake must carry a valid MAC2 (tests, through OverlayInternals). */
    void forceUnderLoad(boolean underLoad) {
        this.forceUnderLoad = underLoad;
    }

    // --- from the network -------------------------------------------------------------------

    /**
     * A handshake message (type 1, 2 or 3) from {@code source}: checked for size and MAC1 and queued as a copy, or
     * dropped and counted. Borrows {@code datagram}.
     */
    void offer(int type, ByteBuf datagram, InetSocketAddress source) {
        int length = datagram.readableBytes();
        int expected = switch (type) {
            case Protocol.MESSAGE_INITIATION -> Protocol.INITIATION_SIZE;
            case Protocol.MESSAGE_RESPONSE -> Protocol.RESPONSE_SIZE;
            default -> Protocol.COOKIE_REPLY_SIZE;
        };
        if (length != expected) {
            drops.increment(DropReason.MALFORMED);
            return;
        }
        if (type != Protocol.MESSAGE_COOKIE_REPLY) {
            if (!cookieChecker.checkMac1(datagram.nioBuffer())) {
                drops.increment(DropReason.BAD_MAC1);
                return;
            }
            countArrival();
        }
        if (queue.offer(datagram, source) != HandshakeQueue.Offer.QUEUED) {
            drops.increment(DropReason.HANDSHAKE_QUEUE_FULL);  // this one, or the one it replaced
        }
    }

    /**
     * Works through queued messages within the time budget. Returns -1 when none are left, else how many nanoseconds
     * until the budget allows more: the caller runs this again then (or at the next read burst or tick, if sooner).
     */
    long processQueued() {
        if (queue.isEmpty()) {
            return -1;
        }
        long now = nanoClock.getAsLong();
        refillBudget(now);
        while (budgetNanos > 0) {
            HandshakeQueue.Message message = queue.poll();
            if (message == null) {
                break;
            }
            try {
                process(message);
            } catch (RuntimeException e) {
                drops.increment(DropReason.INTERNAL_ERROR);
                log.error("internal-error", "where=handshake error=" + e);
            }
            long after = nanoClock.getAsLong();
            // One slow message (the first Diffie-Hellman on a cold JIT takes tens of milliseconds) owes at most one
            // burst: the share is for floods of cheap messages, not a pause of four times the slowest one.
            budgetNanos = Math.max(budgetNanos - (after - now), -MAX_BURST_NANOS);
            now = after;
        }
        budgetRefilledNanos = now;
        io.flush();
        if (queue.isEmpty()) {
            return -1;
        }
        return Math.max(0, -budgetNanos) * 100 / SHARE_PERCENT + 1;
    }

    private void refillBudget(long now) {
        long earned = (now - budgetRefilledNanos) * SHARE_PERCENT / 100;
        budgetNanos = Math.min(MAX_BURST_NANOS, budgetNanos + Math.max(0, earned));
        budgetRefilledNanos = now;
    }

    private void process(HandshakeQueue.Message message) {
        if (!sessions.active()) {
            return;  // became standby while this waited
        }
        switch (message.type()) {
            case Protocol.MESSAGE_INITIATION -> onInitiation(message.bytes(), message.source());
            case Protocol.MESSAGE_RESPONSE -> onResponse(message.bytes(), message.source());
            default -> onCookieReply(message.bytes());
        }
    }

    private void onInitiation(ByteBuffer message, InetSocketAddress source) {
        if (!passesCookieChecks(message, source)) {
            return;
        }
        counters.increment(HandshakeCounters.Event.INITIATION_RECEIVED);
        InitiationResult result = Handshakes.consumeInitiation(identity, message.duplicate(), key -> {
            Peer p = registry.byKey(key);
            return p == null ? null : p.handshake();
        });
        if (result.peer() == null) {
            drops.increment(DropReason.HANDSHAKE_FAILED);
            counters.increment(HandshakeCounters.Event.FAILED);
            if (result.failure() == HandshakeFailure.REPLAYED_TIMESTAMP) {
                counters.increment(HandshakeCounters.Event.REPLAYED_TIMESTAMP);
            } else if (result.failure() == HandshakeFailure.TOO_FREQUENT) {
                counters.increment(HandshakeCounters.Event.INITIATION_TOO_FREQUENT);
            }
            logFailure(Protocol.MESSAGE_INITIATION, "message=initiation endpoint=" + Log.endpoint(source)
                    + " reason=" + result.failure().name().toLowerCase().replace('_', '-'));
            return;
        }
        Peer peer = registry.byKey(result.peer().remoteStatic());
        IndexTable indexTable = registry.indexTable();
        long now = nanoClock.getAsLong();
        noteHandshake(peer, source, now);
        peer.updateEndpoint(source);
        peer.timers().anyAuthenticatedReceived(now);
        peer.timers().anyAuthenticatedTraversal(now);

        // Consuming their initiation replaced our own handshake state (both sides initiated at
        // once): retire the index of our initiation, so its late response is an unknown index,
        // not a failed handshake. The session comes from this exchange instead.
        boolean crossed = peer.pendingInitiationIndex() != 0 && peer.initiationRecentlySent(now);
        if (peer.pendingInitiationIndex() != 0) {
            indexTable.remove(peer.pendingInitiationIndex());
            peer.pendingInitiationIndex(0);
        }
        int index = indexTable.allocate(peer);
        ByteBuf response = io.alloc().directBuffer(Protocol.RESPONSE_SIZE);
        ByteBuffer view = response.nioBuffer(0, Protocol.RESPONSE_SIZE);
        Keypair keypair = peer.handshake().createResponse(index, view.duplicate());
        peer.cookieGenerator().addMacs(view);
        response.writerIndex(Protocol.RESPONSE_SIZE);
        indexTable.attach(index, keypair);
        registry.retire(peer.keypairs().install(keypair));
        peer.timers().sessionDerived(now);
        peer.timers().anyAuthenticatedSent(now);
        log.debug("handshake-response-sent", "peer=" + peer.name() + " endpoint=" + Log.endpoint(source));
        counters.increment(HandshakeCounters.Event.RESPONSE_SENT);
        if (!io.send(response, source)) {
            drops.increment(DropReason.WRITE_FAILED);
        }
        if (crossed) {
            settleCrossedInitiations(peer, now);
        }
    }

    private void onResponse(ByteBuffer message, InetSocketAddress source) {
        if (!passesCookieChecks(message, source)) {
            return;
        }
        int receiverIndex = message.getInt(Response.RECEIVER_OFFSET);
        IndexTable.Entry entry = registry.indexTable().lookup(receiverIndex);
        if (entry == null || entry.keypair() != null || entry.peer().pendingInitiationIndex() != receiverIndex) {
            drops.increment(DropReason.UNKNOWN_INDEX);
            return;
        }
        Peer peer = entry.peer();
        counters.increment(HandshakeCounters.Event.RESPONSE_RECEIVED);
        Keypair keypair = peer.handshake().consumeResponse(message.duplicate());
        if (keypair == null) {
            drops.increment(DropReason.HANDSHAKE_FAILED);
            counters.increment(HandshakeCounters.Event.FAILED);
            logFailure(Protocol.MESSAGE_RESPONSE, "message=response peer=" + peer.name() + " endpoint="
                    + Log.endpoint(source) + " reason=does-not-authenticate hint=check-keys-and-preshared-key");
            return;
        }
        long now = nanoClock.getAsLong();
        noteHandshake(peer, source, now);
        peer.pendingInitiationIndex(0);
        registry.indexTable().attach(receiverIndex, keypair);
        registry.retire(peer.keypairs().install(keypair));
        peer.updateEndpoint(source);
        peer.timers().sessionDerived(now);
        peer.timers().anyAuthenticatedReceived(now);
        peer.timers().anyAuthenticatedTraversal(now);
        sessionConfirmed(peer, now);
        // The responder holds its keys in "next" until our first packet proves we have them.
        if (!sessions.sendStaged(peer)) {
            sessions.sendKeepalive(peer);
        }
    }

    private void onCookieReply(ByteBuffer message) {
        int receiverIndex = message.getInt(CookieReply.RECEIVER_OFFSET);
        IndexTable.Entry entry = registry.indexTable().lookup(receiverIndex);
        if (entry == null) {
            drops.increment(DropReason.UNKNOWN_INDEX);
            return;
        }
        Peer peer = entry.peer();
        if (!peer.cookieGenerator().consumeReply(message.duplicate())) {
            drops.increment(DropReason.BAD_COOKIE_REPLY);
            return;
        }
        counters.increment(HandshakeCounters.Event.COOKIE_REPLY_RECEIVED);
        log.debug("cookie-received", "peer=" + peer.name());
        // Resending at once with the cookie, instead of on the 5 s retransmit timer, is what gets a legitimate
        // handshake through a flood.
        if (entry.keypair() == null && peer.pendingInitiationIndex() == receiverIndex
                && peer.mayRetryWithCookie(nanoClock.getAsLong(), COOKIE_RETRY_INTERVAL_NANOS)) {
            initiate(peer, true);
        }
    }

    /**
     * Under load: a valid MAC2 and the source's share of our work, or a cookie reply (within the source's share of
     * those). Counts and returns false when the message may not proceed.
     */
    private boolean passesCookieChecks(ByteBuffer message, InetSocketAddress source) {
        if (!underLoad()) {
            return true;
        }
        byte[] sourceBytes = sourceBytes(source);
        if (cookieChecker.checkMac2(message.duplicate(), sourceBytes)) {
            // MAC2 proves the source can receive at its address; it still gets only its share.
            if (rateLimiter.allow(sourceBytes, sourceBytes.length - 2)) {
                return true;
            }
            drops.increment(DropReason.RATE_LIMITED);
            return false;
        }
        if (!cookieReplyLimiter.allow(sourceBytes, sourceBytes.length - 2)) {
            drops.increment(DropReason.COOKIE_RATE_LIMITED);
            return false;
        }
        int senderIndex = message.getInt(Initiation.SENDER_OFFSET);  // a response's is at the same offset
        ByteBuf reply = io.alloc().directBuffer(Protocol.COOKIE_REPLY_SIZE);
        ByteBuffer view = reply.nioBuffer(0, Protocol.COOKIE_REPLY_SIZE);
        cookieChecker.createReply(message.duplicate(), senderIndex, sourceBytes, view);
        reply.writerIndex(Protocol.COOKIE_REPLY_SIZE);
        drops.increment(DropReason.COOKIE_REQUIRED);
        counters.increment(HandshakeCounters.Event.COOKIE_REPLY_SENT);
        if (!io.send(reply, source)) {
            drops.increment(DropReason.WRITE_FAILED);
        }
        return false;
    }

    /** The initiator's address as WireGuard binds cookies to it: IP bytes then the port. */
    private static byte[] sourceBytes(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] out = new byte[ip.length + 2];
        System.arraycopy(ip, 0, out, 0, ip.length);
        out[ip.length] = (byte) source.getPort();
        out[ip.length + 1] = (byte) (source.getPort() >>> 8);
        return out;
    }

    /** Counts one MAC1-valid handshake message into the rate window. */
    private void countArrival() {
        long now = nanoClock.getAsLong();
        if (now - loadWindowStartNanos >= 1_000_000_000L) {
            loadWindowStartNanos = now;
            handshakesInWindow = 0;
        }
        handshakesInWindow++;
    }

    /** Under load: messages arrive faster than {@value #UNDER_LOAD_HANDSHAKES_PER_SECOND}/s, or pile up. */
    private boolean underLoad() {
        return forceUnderLoad || handshakesInWindow > UNDER_LOAD_HANDSHAKES_PER_SECOND
                || queue.size() >= UNDER_LOAD_QUEUED;
    }

    /**
     * Logs a failed handshake at most once per interval per message type, so hostile traffic
     * cannot flood the log; the drop counters still count every one.
     */
    private void logFailure(int messageType, String fields) {
        long now = nanoClock.getAsLong();
        long last = lastFailureLogNanos[messageType];
        if (last == 0 || now - last >= FAILURE_LOG_INTERVAL_NANOS) {
            lastFailureLogNanos[messageType] = now == 0 ? 1 : now;
            log.warn("handshake-failed", fields);
        }
    }

    // --- to the network ---------------------------------------------------------------------

    /**
     * Sends a handshake initiation to {@code peer} unless one went out less than REKEY_TIMEOUT ago
     * ({@code retry} bypasses that: the retransmit timer already waited).
     */
    void initiate(Peer peer, boolean retry) {
        long now = nanoClock.getAsLong();
        if (!retry && peer.initiationRecentlySent(now)) {
            return;
        }
        InetSocketAddress endpoint = peer.endpoint();
        if (endpoint == null) {
            int dropped = peer.dropStaged();
            for (int i = 0; i < dropped; i++) {
                drops.increment(DropReason.NO_ENDPOINT);
            }
            return;
        }
        IndexTable indexTable = registry.indexTable();
        if (peer.pendingInitiationIndex() != 0) {
            indexTable.remove(peer.pendingInitiationIndex());
        }
        int index = indexTable.allocate(peer);
        peer.pendingInitiationIndex(index);
        ByteBuf message = io.alloc().directBuffer(Protocol.INITIATION_SIZE);
        ByteBuffer view = message.nioBuffer(0, Protocol.INITIATION_SIZE);
        peer.handshake().createInitiation(index, view.duplicate());
        peer.cookieGenerator().addMacs(view);
        message.writerIndex(Protocol.INITIATION_SIZE);
        peer.initiationSent(now);
        PeerTimers timers = peer.timers();
        timers.handshakeInitiated(now);
        timers.anyAuthenticatedTraversal(now);
        timers.anyAuthenticatedSent(now);
        log.debug("handshake-initiation-sent", "peer=" + peer.name() + " endpoint=" + Log.endpoint(endpoint));
        counters.increment(HandshakeCounters.Event.INITIATION_SENT);
        if (!io.send(message, endpoint)) {
            drops.increment(DropReason.WRITE_FAILED);
        }
    }

    /** Acts on the handshake part of a peer's expired timers ({@link PeerTimers#expire}). */
    void onTimers(Peer peer, int actions) {
        if ((actions & PeerTimers.GIVE_UP_HANDSHAKE) != 0) {
            int dropped = peer.dropStaged();
            for (int i = 0; i < dropped; i++) {
                drops.increment(DropReason.STAGED_OVERFLOW);
            }
            if (peer.pendingInitiationIndex() != 0) {
                registry.indexTable().remove(peer.pendingInitiationIndex());
                peer.pendingInitiationIndex(0);
            }
            counters.increment(HandshakeCounters.Event.TIMED_OUT);
            log.warn("handshake-timeout", "peer=" + peer.name() + " endpoint=" + Log.endpoint(peer.endpoint())
                    + " attempts=" + (Protocol.REKEY_ATTEMPT_TIME_NANOS / Protocol.REKEY_TIMEOUT_NANOS));
        }
        if ((actions & PeerTimers.RETRANSMIT_HANDSHAKE) != 0) {
            log.debug("handshake-retransmit", "peer=" + peer.name());
            initiate(peer, true);
        }
        if ((actions & PeerTimers.NEW_HANDSHAKE) != 0) {
            log.debug("handshake-renew", "peer=" + peer.name() + " reason=no-reply-to-data");
            initiate(peer, false);
        }
        if ((actions & PeerTimers.INITIATE_AFTER_CROSSING) != 0) {
            log.debug("handshake-recross", "peer=" + peer.name());
            initiate(peer, true);
        }
    }

    /** Per-tick upkeep: the rate limiters forget idle sources. */
    void sweep() {
        rateLimiter.sweep();
        cookieReplyLimiter.sweep();
    }

    /** Drops what is queued (standby, close): those initiators try again. */
    void clearQueue() {
        queue.clear();
    }

    // --- sessions ---------------------------------------------------------------------------

    /**
     * Both sides initiated at once (two gateways starting together, or a takeover): each consumed the other's
     * initiation and answered it, so each holds a responder session that waits for a first packet the other cannot
     * send, and each drops the other's answer to its own (retired) initiation. Left alone, only the 5 s retransmit
     * settles it. Instead the side with the greater public key initiates again shortly (a peer refuses two
     * initiations within 20 ms); the other side, having no initiation pending any more, answers, and the session
     * stands one round trip later. Both sides compare the same two keys, so exactly one of them acts.
     */
    private void settleCrossedInitiations(Peer peer, long now) {
        if (Arrays.compareUnsigned(identity.publicKey().bytes(), peer.publicKey().bytes()) > 0) {
            peer.timers().initiationsCrossed(now);
        }
    }

    /**
     * Called with each handshake message that will give {@code peer} a session (their initiation, or the response to
     * ours), before its keys are installed: notes whether the session starts afresh, i.e. there is no session, the
     * peer speaks from a new endpoint, or the session it replaces is younger than a scheduled rekey. A restarted
     * peer, or the other gateway of an HA pair taking over with the same key, looks like that.
     */
    private void noteHandshake(Peer peer, InetSocketAddress source, long now) {
        Keypair current = peer.keypairs().current();
        boolean replacesLive = current != null && (now - current.createdNanos() < SCHEDULED_REKEY_NANOS
                || !source.equals(peer.endpoint()));
        peer.handshakeStartsAfresh(current == null || replacesLive, replacesLive);
    }

    /**
     * A session became current (initiator got the response, or responder got the first packet). One that started
     * afresh is announced to the segments (their local MACs go to the peer); live sessions replaced several times in a
     * row point at two gateways with one key (split brain), or at a peer in a restart loop: worth a warning either way.
     */
    void sessionConfirmed(Peer peer, long now) {
        peer.timers().handshakeComplete(now);
        peer.handshakeCompleted(wallClock.millis());
        counters.increment(HandshakeCounters.Event.COMPLETED);
        log.info("handshake-complete", "peer=" + peer.name() + " endpoint=" + Log.endpoint(peer.endpoint()));
        if (!peer.confirmStartedAfresh(now)) {
            return;
        }
        counters.increment(HandshakeCounters.Event.FRESH_SESSION);
        sessions.startedAfresh(peer);
        if (peer.replacementsWithin(now, SPLIT_BRAIN_WINDOW_NANOS)
                && peer.maySplitBrainWarn(now, SPLIT_BRAIN_WINDOW_NANOS)) {
            log.warn("split-brain-suspected", "peer=" + peer.name() + " endpoint=" + Log.endpoint(peer.endpoint())
                    + " reason=" + Peer.FRESH_STARTS_REMEMBERED + "-sessions-replaced-within-60s"
                    + " hint=two-active-gateways-with-one-key-or-a-restart-loop");
        }
    }
}
