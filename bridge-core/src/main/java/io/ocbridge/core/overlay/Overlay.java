package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.peer.PeerTimers;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * One WireGuard interface, with no I/O of its own (see {@link OverlayIo}). Its jobs each have one owner:
 * {@link PeerRegistry} (peers, cryptokey routing, receiver indexes), {@link Handshaker} (both sides of the handshake,
 * apart from data), {@link VxlanEndpoint} (L2 segments by VNI), and the two directions of the data path,
 * {@link Inside} (device to network) and {@link Outside} (network to device). This class wires them, holds the
 * sessions' send side (staged packets, keepalives), the HA role and the timer tick. Everything here runs on one
 * thread, the overlay's event loop.
 */
public final class Overlay {

    private final String name;
    private final int mtuBytes;
    private final LocalIdentity identity;
    private final OverlayIo io;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Log log;

    private final PeerRegistry registry = new PeerRegistry();
    private final DropCounters drops = new DropCounters();
    private final Handshaker handshaker;
    private final InitiationPacer firstContact = new InitiationPacer(new Random());
    private final Inside inside;
    private final Outside outside;

    /** L2: segments by VNI, and reassembly of fragmented VXLAN packets. */
    private final VxlanEndpoint vxlan;

    /** Packets being sealed or opened pass through here (event loop only); grows to the largest seen. */
    private byte[] cryptoScratch = new byte[2048];
    private boolean started;
    /**
     * False on the standby gateway of an HA pair: its devices and routes exist, but nothing goes to peers and no frame
     * crosses, so the pair's two TAPs in one LAN make no loop. Event loop only; see {@link #standBy()}.
     */
    private boolean active = true;

    public Overlay(String name, int mtuBytes, LocalIdentity identity, OverlayIo io, LongSupplier nanoClock,
            Clock wallClock, Log log) {
        this.name = name;
        this.mtuBytes = mtuBytes;
        this.identity = identity;
        this.io = io;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.log = log;
        this.vxlan = new VxlanEndpoint(io.alloc(), nanoClock, drops);
        this.handshaker = new Handshaker(identity, registry, io, drops, nanoClock, wallClock, log, new Sessions());
        this.inside = new Inside(this, registry.allowedIps(), handshaker, io, drops, log);
        this.outside = new Outside(this, registry, handshaker, vxlan, io, drops, log);
    }

    /**
     * Adds a peer with its allowed-ips; a prefix another peer held moves to this one. Once the overlay has started
     * (a reload), the peer's timers start at once and a persistent keepalive goes out as {@link #start()} would.
     */
    public Peer addPeer(String peerName, PublicKey publicKey, PresharedKey psk, InetSocketAddress endpoint,
            List<Cidr> allowed, int persistentKeepaliveSeconds) {
        if (registry.contains(publicKey)) {
            throw new IllegalArgumentException("overlay " + name + " already has a peer with that public key");
        }
        PeerHandshake handshake = new PeerHandshake(identity, publicKey, psk, wallClock, nanoClock);
        byte[] remembered = registry.takeRemovedTimestamp(publicKey);
        if (remembered != null) {
            handshake.rememberTimestamp(remembered);
        }
        CookieGenerator cookies = new CookieGenerator(publicKey, nanoClock);
        Peer peer = new Peer(peerName, publicKey, handshake, cookies, endpoint, persistentKeepaliveSeconds);
        registry.add(peer, allowed);
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
     * packets. Precondition: no segment of this overlay carries it (a reload withdraws it from its segments first).
     */
    public void removePeer(Peer peer) {
        for (Segment segment : vxlan.segments()) {
            if (segment.memberOf(peer) != null) {
                throw new IllegalStateException("peer " + peer.name() + " carries segment " + segment.name());
            }
        }
        registry.remove(peer);
    }

    /** Replaces a peer's allowed-ips (a prefix another peer held moves to this one). Sessions are kept. */
    public void replaceAllowedIps(Peer peer, List<Cidr> allowed) {
        registry.replaceAllowedIps(peer, allowed);
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
     * address) with its VNI go to it instead of the TUN device. On a standby the segment starts in standby too.
     * Its VNI must be free.
     */
    public void addSegment(Segment segment, int localVtep) {
        vxlan.add(segment, localVtep);
        if (!active) {
            segment.standBy();
        }
    }

    /**
     * Removes an L2 segment (a reload): no frame reaches it from now on, and its VNI's packets are dropped as
     * {@link DropReason#UNKNOWN_VNI}. The segment holds no buffers; its TAP is the caller's to close.
     */
    public void removeSegment(Segment segment) {
        vxlan.remove(segment);
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
        for (Segment segment : vxlan.segments()) {
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
        handshaker.clearQueue();
        for (Segment segment : vxlan.segments()) {
            segment.standBy();
        }
        for (Peer peer : registry.all()) {
            int dropped = peer.dropStaged();
            for (int i = 0; i < dropped; i++) {
                drops.increment(DropReason.STANDBY);
            }
            registry.eraseSessions(peer);
            peer.timers().reset();
        }
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
        for (Peer peer : registry.all()) {
            peer.timers().started(now);
        }
        firstContact.schedule(registry.all(), now);
        firstContact.release(now, this::contact);
        io.flush();
    }

    /**
     * First contact with a peer after a start or takeover: a handshake (carrying a keepalive for a peer with a
     * persistent keepalive). Skipped for a peer that already has a session or just got an initiation, such as one
     * that reached us first, and for one removed meanwhile.
     */
    private void contact(Peer peer) {
        if (!active || !registry.isCurrent(peer) || peer.keypairs().current() != null) {
            return;
        }
        if (peer.persistentKeepaliveSeconds() > 0) {
            sendKeepalive(peer);
        } else {
            handshaker.initiate(peer, false);
        }
    }

    public String name() { return name; }
    public int mtuBytes() { return mtuBytes; }
    public Inside inside() { return inside; }
    public Outside outside() { return outside; }
    public DropCounters drops() { return drops; }
    public HandshakeCounters handshakes() { return handshaker.counters(); }
    public List<Peer> peers() { return registry.all(); }
    public AllowedIps<Peer> allowedIps() { return registry.allowedIps(); }
    public List<Segment> segments() { return vxlan.segments(); }

    /** The peer named {@code name}, or null. */
    public Peer peer(String peerName) {
        return registry.byName(peerName);
    }

    /** Peers still waiting for their first initiation after a start or takeover. */
    int firstContactsQueued() {
        return firstContact.queued();
    }

    /** Behave as if under load, so every handshake must carry a valid MAC2 (tests, through OverlayInternals). */
    void forceUnderLoad(boolean underLoad) {
        handshaker.forceUnderLoad(underLoad);
    }

    /**
     * Answers queued handshake messages within their share of the loop's time ({@link Handshaker}). Call after each
     * burst of datagrams. Returns -1 when none are left, else the nanoseconds after which to call again.
     */
    public long processHandshakes() {
        return handshaker.processQueued();
    }

    LocalIdentity identity() { return identity; }

    /** The job owners, for tests in this package that step them directly. */
    PeerRegistry registry() { return registry; }
    Handshaker handshaker() { return handshaker; }

    // --- the sessions' send side and the role, for Inside and Outside ---------------------------

    long now() { return nanoClock.getAsLong(); }

    /** The event loop's array for in-place encryption, at least {@code length} bytes. */
    byte[] cryptoScratch(int length) {
        if (cryptoScratch.length < length) {
            cryptoScratch = new byte[Math.max(length, Math.min(2 * cryptoScratch.length, 1 << 17))];
        }
        return cryptoScratch;
    }

    /** Releases {@code buf} (may be null) and counts why. The one exit for dropped packets. */
    public void drop(ByteBuf buf, DropReason reason) {
        if (buf != null) {
            buf.release();
        }
        drops.increment(reason);
    }

    /** Whether {@code keypair} may still encrypt: not past REJECT_AFTER_TIME. */
    boolean usableForSending(Keypair keypair, long now) {
        return keypair != null && now - keypair.createdNanos() < Protocol.REJECT_AFTER_TIME_NANOS;
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
            handshaker.initiate(peer, false);
        } else {
            empty.release();
            handshaker.initiate(peer, false);
        }
    }

    /** Timer tick: fires every expired peer deadline. Call every ~20 ms on the event loop. */
    public void tick() {
        long now = now();
        vxlan.tick();
        handshaker.sweep();
        if (!active) {
            return;  // a standby has no sessions and sends nothing
        }
        firstContact.release(now, this::contact);
        for (Peer peer : registry.all()) {
            int actions = peer.timers().expire(now);
            if (actions == 0) {
                continue;
            }
            handshaker.onTimers(peer, actions);
            if ((actions & PeerTimers.SEND_KEEPALIVE) != 0) {
                sendKeepalive(peer);
            }
            if ((actions & PeerTimers.ZERO_KEY_MATERIAL) != 0) {
                registry.eraseSessions(peer);
                log.info("keys-zeroed", "peer=" + peer.name());
            }
        }
        handshaker.processQueued();
        io.flush();
    }

    /** Stops the overlay: staged packets released and all key material zeroed. */
    public void close() {
        vxlan.close();
        handshaker.clearQueue();
        for (Peer peer : registry.all()) {
            registry.retire(peer.keypairs().destroyAll());
            peer.clearAll();
        }
    }

    /** What the handshake asks of this overlay's sessions. */
    private final class Sessions implements Handshaker.Sessions {
        @Override
        public boolean active() {
            return active;
        }

        @Override
        public boolean sendStaged(Peer peer) {
            return Overlay.this.sendStaged(peer);
        }

        @Override
        public void sendKeepalive(Peer peer) {
            Overlay.this.sendKeepalive(peer);
        }

        @Override
        public void startedAfresh(Peer peer) {
            for (Segment segment : vxlan.segments()) {
                segment.announceLocalMacs(peer);
            }
        }
    }
}
