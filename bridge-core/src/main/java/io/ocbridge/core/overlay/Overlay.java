package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import io.ocbridge.core.ip.Ipv4Reassembler;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.IndexTable;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.peer.PeerTimers;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieChecker;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * One WireGuard interface: our identity, its peers, cryptokey routing and sessions, with no I/O of
 * its own (see {@link OverlayIo}). The two directions of the data path are {@link Inside} (device
 * to network) and {@link Outside} (network to device); this class holds what they share and the
 * handshake and timer logic. Everything here runs on one thread, the overlay's event loop.
 */
public final class Overlay {
    /** Handshake messages per second above which we demand cookies (MAC2) from initiators. */
    static final int UNDER_LOAD_HANDSHAKES_PER_SECOND = 64;
    /** Fragment reassembly bounds, as Linux's ipfrag_high_thresh (4 MiB) and ipfrag_time (30 s). */
    private static final int REASSEMBLY_MAX_BYTES = 4 << 20;
    private static final int REASSEMBLY_MAX_DATAGRAMS = 1024;
    private static final long REASSEMBLY_TIMEOUT_NANOS = 30_000_000_000L;
    private static final long FAILURE_LOG_INTERVAL_NANOS = 5_000_000_000L;
    /** At most one immediate resend per peer per this interval when a cookie reply arrives (see {@link Peer}). */
    private static final long COOKIE_RETRY_INTERVAL_NANOS = 1_000_000_000L;
    private static final int MAX_REMOVED_TIMESTAMPS = 4096;
    /** A session younger than this, replaced by a handshake, was not due for a rekey: the peer started afresh. */
    private static final long SCHEDULED_REKEY_NANOS = Protocol.REKEY_AFTER_TIME_NANOS - Protocol.REKEY_TIMEOUT_NANOS;
    /** {@link Peer#FRESH_STARTS_REMEMBERED} live sessions replaced within this window: two gateways with one key. */
    private static final long SPLIT_BRAIN_WINDOW_NANOS = 60_000_000_000L;

    private final String name;
    private final int mtuBytes;
    private final LocalIdentity identity;
    private final OverlayIo io;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Log log;

    private final CookieChecker cookieChecker;
    private final IndexTable indexTable = new IndexTable();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final Map<PublicKey, Peer> peersByKey = new HashMap<>();
    private final Map<String, Peer> peersByName = new HashMap<>();
    private final List<Peer> peers = new ArrayList<>();
    private final DropCounters drops = new DropCounters();
    private final HandshakeCounters handshakes = new HandshakeCounters();
    private final HandshakeRateLimiter rateLimiter;
    private final InitiationPacer firstContact = new InitiationPacer(new Random());
    /**
     * The last initiation timestamp accepted from each removed peer, by public key: a peer added again (a reload that
     * changed its preshared key re-creates it) keeps refusing initiations recorded before, so an on-path attacker
     * cannot replay one to move its endpoint. Bounded; the oldest removals are forgotten first.
     */
    private final Map<PublicKey, byte[]> removedTimestamps = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PublicKey, byte[]> eldest) {
            return size() > MAX_REMOVED_TIMESTAMPS;
        }
    };
    private final long[] lastFailureLogNanos = new long[Protocol.MESSAGE_TRANSPORT + 1];

    private final Inside inside;
    private final Outside outside;

    /** L2: segments by VNI, our VXLAN endpoint, and reassembly of fragmented VXLAN packets. */
    private final IntObjectHashMap<Segment> segmentsByVni = new IntObjectHashMap<>();
    private final List<Segment> segments = new ArrayList<>();
    private int localVtep;
    private Ipv4Reassembler reassembler;

    /** Packets being sealed or opened pass through here (event loop only); grows to the largest seen. */
    private byte[] cryptoScratch = new byte[2048];
    private boolean started;
    /**
     * False on the standby gateway of an HA pair: its devices and routes exist, but nothing goes to peers and no frame
     * crosses, so the pair's two TAPs in one LAN make no loop. Event loop only; see {@link #standBy()}.
     */
    private boolean active = true;
    private long loadWindowStartNanos;
    private int handshakesInWindow;
    private boolean forceUnderLoad;

    public Overlay(String name, int mtuBytes, LocalIdentity identity, OverlayIo io, LongSupplier nanoClock,
            Clock wallClock, Log log) {
        this.name = name;
        this.mtuBytes = mtuBytes;
        this.identity = identity;
        this.io = io;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.log = log;
        this.cookieChecker = new CookieChecker(identity.publicKey(), nanoClock);
        this.rateLimiter = new HandshakeRateLimiter(nanoClock);
        this.inside = new Inside(this);
        this.outside = new Outside(this);
        this.loadWindowStartNanos = nanoClock.getAsLong();
    }

    /**
     * Adds a peer with its allowed-ips; a prefix another peer held moves to this one. Once the overlay has started
     * (a reload), the peer's timers start at once and a persistent keepalive goes out as {@link #start()} would.
     */
    public Peer addPeer(String peerName, PublicKey publicKey, PresharedKey psk, InetSocketAddress endpoint,
            List<Cidr> allowed, int persistentKeepaliveSeconds) {
        if (peersByKey.containsKey(publicKey)) {
            throw new IllegalArgumentException("overlay " + name + " already has a peer with that public key");
        }
        PeerHandshake handshake = new PeerHandshake(identity, publicKey, psk, wallClock, nanoClock);
        byte[] remembered = removedTimestamps.remove(publicKey);
        if (remembered != null) {
            handshake.rememberTimestamp(remembered);
        }
        CookieGenerator cookies = new CookieGenerator(publicKey, nanoClock);
        Peer peer = new Peer(peerName, publicKey, handshake, cookies, endpoint, persistentKeepaliveSeconds);
        peers.add(peer);
        peersByKey.put(publicKey, peer);
        peersByName.putIfAbsent(peerName, peer);
        for (Cidr prefix : allowed) {
            allowedIps.insert(prefix, peer);
        }
        if (started && active) {
            peer.timers().started(now());
            if (endpoint != null) {
                contact(peer);
            }
            io.flush();
        }
        return peer;
    }

    /**
     * Removes a peer for good: its allowed-ips, every index it holds, its sessions (keys zeroed) and its staged
     * packets. Precondition: no segment of this overlay carries it (segment membership changes need a restart).
     */
    public void removePeer(Peer peer) {
        for (Segment segment : segments) {
            if (segment.memberOf(peer) != null) {
                throw new IllegalStateException("peer " + peer.name() + " carries segment " + segment.name());
            }
        }
        if (!peers.remove(peer)) {
            return;
        }
        peersByKey.remove(peer.publicKey());
        peersByName.remove(peer.name(), peer);
        removedTimestamps.put(peer.publicKey(), peer.handshake().lastTimestamp());
        allowedIps.removeValue(peer);
        retire(peer.keypairs().destroyAll());
        indexTable.removePeer(peer);
        peer.clearAll();
    }

    /** Replaces a peer's allowed-ips (a prefix another peer held moves to this one). Sessions are kept. */
    public void replaceAllowedIps(Peer peer, List<Cidr> allowed) {
        allowedIps.removeValue(peer);
        for (Cidr prefix : allowed) {
            allowedIps.insert(prefix, peer);
        }
    }

    /**
     * Sets a peer's persistent keepalive (0 = off); when turned on with a known endpoint, one goes out at once, as on
     * {@link #start()}. Sessions are kept.
     */
    public void persistentKeepalive(Peer peer, int seconds) {
        peer.persistentKeepalive(seconds, now());
        if (started && active && seconds > 0 && peer.endpoint() != null) {
            sendKeepalive(peer);
            io.flush();
        }
    }

    /**
     * Adds an L2 segment; VXLAN packets to {@code localVtep} (this gateway's IPv4 overlay
     * address) with its VNI go to it instead of the TUN device.
     */
    public void addSegment(Segment segment, int localVtep) {
        this.localVtep = localVtep;
        if (reassembler == null) {
            reassembler = new Ipv4Reassembler(io.alloc(), REASSEMBLY_MAX_BYTES, REASSEMBLY_MAX_DATAGRAMS,
                    REASSEMBLY_TIMEOUT_NANOS, nanoClock);
        }
        segments.add(segment);
        segmentsByVni.put(segment.vni(), segment);
        if (!active) {
            segment.standBy();
        }
    }

    /**
     * Starts the peers' timers and, when active, contacts every peer whose endpoint we know (paced: {@link
     * InitiationPacer}), so a restarted gateway has its sessions back in a round trip instead of waiting for the
     * peers' timers.
     */
    public void start() {
        started = true;
        if (active) {
            becomeReachable();
        }
    }

    /**
     * The standby of an HA pair hands over: from now on peers hear from us, and every peer whose endpoint we know is
     * contacted at once (paced). No-op when already active.
     */
    public void activate() {
        if (active) {
            return;
        }
        active = true;
        for (Segment segment : segments) {
            segment.activate();
        }
        if (started) {
            becomeReachable();
        }
    }

    /**
     * The other gateway of the pair took over: every session is erased (keys zeroed, staged packets dropped, timers
     * disarmed), and from now on nothing goes to peers and nothing crosses between the devices and the tunnel. The
     * devices, addresses and routes stay, so taking over again needs no set-up. No-op when already standby.
     */
    public void standBy() {
        if (!active) {
            return;
        }
        active = false;
        firstContact.clear();
        for (Segment segment : segments) {
            segment.standBy();
        }
        for (Peer peer : peers) {
            int dropped = peer.dropStaged();
            for (int i = 0; i < dropped; i++) {
                drops.increment(DropReason.STANDBY);
            }
            eraseSessions(peer);
            peer.timers().reset();
        }
    }

    /** Zeroes a peer's keys and handshake state, and frees the indexes its sessions and pending initiation held. */
    private void eraseSessions(Peer peer) {
        retire(peer.keypairs().destroyAll());
        if (peer.pendingInitiationIndex() != 0) {
            indexTable.remove(peer.pendingInitiationIndex());
        }
        peer.clearAll();
    }

    /** Whether this gateway speaks for the site (always, without HA). */
    public boolean isActive() {
        return active;
    }

    /** Whether packets may flow (this gateway is active); otherwise drops {@code packet} as STANDBY and says false. */
    boolean admits(ByteBuf packet) {
        if (active) {
            return true;
        }
        drop(packet, DropReason.STANDBY);
        return false;
    }

    private void becomeReachable() {
        long now = nanoClock.getAsLong();
        for (Peer peer : peers) {
            peer.timers().started(now);
        }
        firstContact.schedule(peers, now);
        firstContact.release(now, this::contact);
        io.flush();
    }

    /**
     * First contact with a peer after a start or takeover: a handshake (carrying a keepalive for a peer with a
     * persistent keepalive). Skipped for a peer that already has a session or just got an initiation, such as one
     * that reached us first, and for one removed meanwhile.
     */
    private void contact(Peer peer) {
        if (!active || peersByKey.get(peer.publicKey()) != peer || peer.keypairs().current() != null) {
            return;
        }
        if (peer.persistentKeepaliveSeconds() > 0) {
            sendKeepalive(peer);
        } else {
            initiateHandshake(peer, false);
        }
    }

    public String name() { return name; }
    public int mtuBytes() { return mtuBytes; }
    public Inside inside() { return inside; }
    public Outside outside() { return outside; }
    public DropCounters drops() { return drops; }
    public HandshakeCounters handshakes() { return handshakes; }
    public List<Peer> peers() { return Collections.unmodifiableList(peers); }
    public AllowedIps<Peer> allowedIps() { return allowedIps; }
    public List<Segment> segments() { return Collections.unmodifiableList(segments); }

    /** The peer named {@code name}, or null. */
    public Peer peer(String peerName) {
        return peersByName.get(peerName);
    }

    boolean hasSegments() { return reassembler != null; }
    int localVtep() { return localVtep; }
    Ipv4Reassembler reassembler() { return reassembler; }
    Segment segment(int vni) { return segmentsByVni.get(vni); }

    /** Peers still waiting for their first initiation after a start or takeover. */
    int firstContactsQueued() {
        return firstContact.queued();
    }

    /** Behave as if under load, so every handshake must carry a valid MAC2 (tests, through OverlayInternals). */
    void forceUnderLoad(boolean underLoad) {
        this.forceUnderLoad = underLoad;
    }

    // --- shared with Inside / Outside -------------------------------------------------------

    OverlayIo io() { return io; }
    IndexTable indexTable() { return indexTable; }
    CookieChecker cookieChecker() { return cookieChecker; }
    HandshakeRateLimiter rateLimiter() { return rateLimiter; }
    LocalIdentity identity() { return identity; }
    Log log() { return log; }
    long now() { return nanoClock.getAsLong(); }

    /** The event loop's array for in-place encryption, at least {@code length} bytes. */
    byte[] cryptoScratch(int length) {
        if (cryptoScratch.length < length) {
            cryptoScratch = new byte[Math.max(length, Math.min(2 * cryptoScratch.length, 1 << 17))];
        }
        return cryptoScratch;
    }

    Peer peerByKey(PublicKey key) {
        return peersByKey.get(key);
    }

    /** Releases {@code buf} (may be null) and counts why. The one exit for dropped packets. */
    public void drop(ByteBuf buf, DropReason reason) {
        if (buf != null) {
            buf.release();
        }
        drops.increment(reason);
    }

    /**
     * Logs a failed handshake at most once per interval per message type, so hostile traffic
     * cannot flood the log; the drop counters still count every one.
     */
    void logHandshakeFailure(int messageType, String fields) {
        long now = now();
        long last = lastFailureLogNanos[messageType];
        if (last == 0 || now - last >= FAILURE_LOG_INTERVAL_NANOS) {
            lastFailureLogNanos[messageType] = now == 0 ? 1 : now;
            log.warn("handshake-failed", fields);
        }
    }

    /** Counts one received handshake message into the rate window; returns whether that rate means under load. */
    boolean countHandshakeMessageUnderLoad() {
        long now = now();
        if (now - loadWindowStartNanos >= 1_000_000_000L) {
            loadWindowStartNanos = now;
            handshakesInWindow = 0;
        }
        handshakesInWindow++;
        return forceUnderLoad || handshakesInWindow > UNDER_LOAD_HANDSHAKES_PER_SECOND;
    }

    /** Whether {@code keypair} may still encrypt: not past REJECT_AFTER_TIME. */
    boolean usableForSending(Keypair keypair, long now) {
        return keypair != null && now - keypair.createdNanos() < Protocol.REJECT_AFTER_TIME_NANOS;
    }

    /**
     * Sends a handshake initiation to {@code peer} unless one went out less than REKEY_TIMEOUT ago
     * ({@code retry} bypasses that: the retransmit timer already waited).
     */
    void initiateHandshake(Peer peer, boolean retry) {
        long now = now();
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
        handshakes.increment(HandshakeCounters.Event.INITIATION_SENT);
        if (!io.send(message, endpoint)) {
            drops.increment(DropReason.WRITE_FAILED);
        }
    }

    /**
     * A cookie reply for our pending initiation: the responder is under load and wants MAC2. Resending at once with
     * the cookie, instead of on the 5 s retransmit timer, is what gets a legitimate handshake through a flood.
     */
    void retryWithCookie(Peer peer) {
        if (active && peer.mayRetryWithCookie(now(), COOKIE_RETRY_INTERVAL_NANOS)) {
            initiateHandshake(peer, true);
        }
    }

    /**
     * Both sides initiated at once (two gateways starting together, or a takeover): each consumed the other's
     * initiation and answered it, so each holds a responder session that waits for a first packet the other cannot
     * send, and each drops the other's answer to its own (retired) initiation. Left alone, only the 5 s retransmit
     * settles it. Instead the side with the greater public key initiates again shortly (a peer refuses two
     * initiations within 20 ms); the other side, having no initiation pending any more, answers, and the session
     * stands one round trip later. Both sides compare the same two keys, so exactly one of them acts.
     */
    void settleCrossedInitiations(Peer peer) {
        if (Arrays.compareUnsigned(identity.publicKey().bytes(), peer.publicKey().bytes()) > 0) {
            peer.timers().initiationsCrossed(now());
        }
    }

    /** Retires keypairs pushed out of a peer's slots: their indexes are freed and keys zeroed. */
    void retire(Keypair... keypairs) {
        for (Keypair k : keypairs) {
            if (k != null) {
                indexTable.remove(k.localIndex());
                k.destroy();
            }
        }
    }

    /**
     * Called with each handshake message that will give {@code peer} a session (their initiation, or the response to
     * ours), before its keys are installed: notes whether the session starts afresh, i.e. there is no session, the
     * peer speaks from a new endpoint, or the session it replaces is younger than a scheduled rekey. A restarted
     * peer, or the other gateway of an HA pair taking over with the same key, looks like that.
     */
    void noteHandshake(Peer peer, InetSocketAddress source, long now) {
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
        handshakes.increment(HandshakeCounters.Event.COMPLETED);
        log.info("handshake-complete", "peer=" + peer.name() + " endpoint=" + Log.endpoint(peer.endpoint()));
        if (!peer.confirmStartedAfresh(now)) {
            return;
        }
        handshakes.increment(HandshakeCounters.Event.FRESH_SESSION);
        for (Segment segment : segments) {
            segment.announceLocalMacs(peer);
        }
        if (peer.replacementsWithin(now, SPLIT_BRAIN_WINDOW_NANOS)
                && peer.maySplitBrainWarn(now, SPLIT_BRAIN_WINDOW_NANOS)) {
            log.warn("split-brain-suspected", "peer=" + peer.name() + " endpoint=" + Log.endpoint(peer.endpoint())
                    + " reason=" + Peer.FRESH_STARTS_REMEMBERED + "-sessions-replaced-within-60s"
                    + " hint=two-active-gateways-with-one-key-or-a-restart-loop");
        }
    }

    /** Sends the packets that waited for a session; true if at least one went out. */
    boolean sendStaged(Peer peer) {
        if (!usableForSending(peer.keypairs().current(), now())) {
            return false;
        }
        // Bounded by the count at entry: a packet re-staged by encryptAndSend is not retried here.
        int count = peer.stagedCount();
        for (int i = 0; i < count; i++) {
            ByteBuf packet = peer.pollStaged();
            if (packet == null) {
                break;
            }
            inside.encryptAndSend(peer, packet);
        }
        return count > 0;
    }

    /** Sends an empty transport packet, or starts a handshake that will carry one. */
    void sendKeepalive(Peer peer) {
        ByteBuf empty = io.alloc().directBuffer(PacketLayout.capacityFor(0));
        empty.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM);
        Keypair current = peer.keypairs().current();
        if (usableForSending(current, now()) && peer.stagedCount() == 0) {
            inside.encryptAndSend(peer, empty);
        } else if (peer.stagedCount() == 0) {
            peer.stage(empty);
            initiateHandshake(peer, false);
        } else {
            empty.release();
            initiateHandshake(peer, false);
        }
    }

    /** Timer tick: fires every expired peer deadline. Call every ~20 ms on the event loop. */
    public void tick() {
        long now = now();
        for (Segment segment : segments) {
            segment.tick();
        }
        if (reassembler != null) {
            reassembler.expire();
        }
        rateLimiter.sweep();
        if (!active) {
            return;  // a standby has no sessions and sends nothing
        }
        firstContact.release(now, this::contact);
        for (Peer peer : peers) {
            int actions = peer.timers().expire(now);
            if (actions == 0) {
                continue;
            }
            if ((actions & PeerTimers.GIVE_UP_HANDSHAKE) != 0) {
                int dropped = peer.dropStaged();
                for (int i = 0; i < dropped; i++) {
                    drops.increment(DropReason.STAGED_OVERFLOW);
                }
                if (peer.pendingInitiationIndex() != 0) {
                    indexTable.remove(peer.pendingInitiationIndex());
                    peer.pendingInitiationIndex(0);
                }
                handshakes.increment(HandshakeCounters.Event.TIMED_OUT);
                log.warn("handshake-timeout", "peer=" + peer.name() + " endpoint=" + Log.endpoint(peer.endpoint())
                        + " attempts=" + (Protocol.REKEY_ATTEMPT_TIME_NANOS / Protocol.REKEY_TIMEOUT_NANOS));
            }
            if ((actions & PeerTimers.RETRANSMIT_HANDSHAKE) != 0) {
                log.debug("handshake-retransmit", "peer=" + peer.name());
                initiateHandshake(peer, true);
            }
            if ((actions & PeerTimers.NEW_HANDSHAKE) != 0) {
                log.debug("handshake-renew", "peer=" + peer.name() + " reason=no-reply-to-data");
                initiateHandshake(peer, false);
            }
            if ((actions & PeerTimers.INITIATE_AFTER_CROSSING) != 0) {
                log.debug("handshake-recross", "peer=" + peer.name());
                initiateHandshake(peer, true);
            }
            if ((actions & PeerTimers.SEND_KEEPALIVE) != 0) {
                sendKeepalive(peer);
            }
            if ((actions & PeerTimers.ZERO_KEY_MATERIAL) != 0) {
                eraseSessions(peer);
                log.info("keys-zeroed", "peer=" + peer.name());
            }
        }
        io.flush();
    }

    /** Stops the overlay: staged packets released and all key material zeroed. */
    public void close() {
        if (reassembler != null) {
            reassembler.clear();
        }
        for (Peer peer : peers) {
            retire(peer.keypairs().destroyAll());
            peer.clearAll();
        }
    }
}
