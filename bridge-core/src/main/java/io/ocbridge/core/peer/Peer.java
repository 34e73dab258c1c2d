package io.ocbridge.core.peer;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.counters.IntervalGate;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One remote site of an overlay: its identity, endpoint, sessions, timers and the packets waiting
 * for a session. All mutable state is owned by the overlay's event loop (single writer); the
 * counters are volatile so status readers on other threads see recent values.
 */
public final class Peer {
    private static final VarHandle RX_BYTES = counter("rxBytes");
    private static final VarHandle TX_BYTES = counter("txBytes");
    private static final VarHandle RX_PACKETS = counter("rxPackets");
    private static final VarHandle TX_PACKETS = counter("txPackets");

    /** Replaced live sessions remembered, to tell one restart from a pattern of them (split brain). */
    public static final int FRESH_STARTS_REMEMBERED = 4;

    /** Packets held while a handshake is in progress (wireguard-go holds 1024; one RTT of traffic is enough). */
    public static final int MAX_STAGED_PACKETS = 128;

    private final String name;
    private final PublicKey publicKey;
    private final PeerHandshake handshake;
    private final CookieGenerator cookieGenerator;
    private final PeerTimers timers;
    private int persistentKeepaliveSeconds;
    /** Allocated with the first staged packet: most peers of a large overlay never stage one. */
    private ArrayDeque<ByteBuf> staged;
    private final Keypairs keypairs = new Keypairs();

    private InetSocketAddress endpoint;
    /** Local index of the initiation we are waiting a response for, or 0 when none is pending. */
    private int pendingInitiationIndex;
    private long lastInitiationSentNanos;
    private boolean initiationEverSent;
    private final IntervalGate cookieRetry = new IntervalGate();
    /** Whether the handshake in flight starts the session afresh (see {@code Overlay.noteHandshake}). */
    private boolean handshakeStartsAfresh;
    /** Whether it also replaces a live session before its time (the peer, not we, started over). */
    private boolean handshakeReplacesLive;
    /** When the last {@link #FRESH_STARTS_REMEMBERED} live sessions were replaced: a ring, oldest at {@code freshNext}. */
    private final long[] freshStartNanos = new long[FRESH_STARTS_REMEMBERED];
    private int freshStarts;
    private int freshNext;
    private final IntervalGate splitBrainWarning = new IntervalGate();

    private volatile long lastHandshakeEpochMillis;
    // Traffic counters: written by the event loop for every packet, read by status and metrics threads.
    // Release stores, not volatile ones: a volatile store is a locked instruction on x86, four per packet here.
    private long rxBytes;
    private long txBytes;
    private long rxPackets;
    private long txPackets;
    private volatile long handshakesCompleted;

    public Peer(String name, PublicKey publicKey, PeerHandshake handshake, CookieGenerator cookieGenerator,
            InetSocketAddress endpoint, int persistentKeepaliveSeconds) {
        this.name = name;
        this.publicKey = publicKey;
        this.handshake = handshake;
        this.cookieGenerator = cookieGenerator;
        this.endpoint = endpoint;
        this.persistentKeepaliveSeconds = persistentKeepaliveSeconds;
        this.timers = new PeerTimers(persistentKeepaliveSeconds);
    }

    public String name() { return name; }
    public PublicKey publicKey() { return publicKey; }
    public PeerHandshake handshake() { return handshake; }
    public CookieGenerator cookieGenerator() { return cookieGenerator; }
    public PeerTimers timers() { return timers; }
    public Keypairs keypairs() { return keypairs; }
    public int persistentKeepaliveSeconds() { return persistentKeepaliveSeconds; }

    public InetSocketAddress endpoint() { return endpoint; }

    /** Reload: the configured endpoint replaces the current one (learned or configured). */
    public void endpoint(InetSocketAddress configured) {
        endpoint = configured;
    }

    /** Reload: a new persistent-keepalive interval (0 = off), counted from {@code now}; sessions are kept. */
    public void persistentKeepalive(int seconds, long now) {
        persistentKeepaliveSeconds = seconds;
        timers.persistentKeepalive(seconds, now);
    }

    /** Roaming: the endpoint follows the source of the latest authenticated packet. */
    public boolean updateEndpoint(InetSocketAddress source) {
        if (source.equals(endpoint)) {
            return false;
        }
        endpoint = source;
        return true;
    }

    public int pendingInitiationIndex() { return pendingInitiationIndex; }
    public void pendingInitiationIndex(int index) { pendingInitiationIndex = index; }

    /** True if an initiation went out less than REKEY_TIMEOUT ago (one per REKEY_TIMEOUT, whitepaper §6.1). */
    public boolean initiationRecentlySent(long now) {
        return initiationEverSent && now - lastInitiationSentNanos < Protocol.REKEY_TIMEOUT_NANOS;
    }

    public void initiationSent(long now) {
        initiationEverSent = true;
        lastInitiationSentNanos = now;
    }

    /**
     * Whether a cookie reply may make us resend our initiation at once: at most once per {@code intervalNanos}, so
     * forged cookie replies (the cookie key derives from a public key) cannot turn us into an initiation loop.
     * Records the retry when it says yes.
     */
    public boolean mayRetryWithCookie(long now, long intervalNanos) {
        return cookieRetry.tryPass(now, intervalNanos);
    }

    /**
     * Records whether the handshake now in flight, once confirmed, starts the session afresh, and whether it replaces a
     * live session before its time (a fresh start that is the peer's doing, not ours).
     */
    public void handshakeStartsAfresh(boolean afresh, boolean replacesLive) {
        handshakeStartsAfresh = afresh;
        handshakeReplacesLive = replacesLive;
    }

    /**
     * A session was confirmed: whether it started afresh. One that replaced a live session is remembered, with {@code
     * now}, for {@link #replacementsWithin}. Clears both flags.
     */
    public boolean confirmStartedAfresh(long now) {
        boolean afresh = handshakeStartsAfresh;
        if (handshakeReplacesLive) {
            freshStartNanos[freshNext] = now;
            freshNext = (freshNext + 1) % FRESH_STARTS_REMEMBERED;
            freshStarts = Math.min(freshStarts + 1, FRESH_STARTS_REMEMBERED);
        }
        handshakeStartsAfresh = false;
        handshakeReplacesLive = false;
        return afresh;
    }

    /** Whether the last {@link #FRESH_STARTS_REMEMBERED} replacements of a live session fell within {@code windowNanos}. */
    public boolean replacementsWithin(long now, long windowNanos) {
        return freshStarts == FRESH_STARTS_REMEMBERED && now - freshStartNanos[freshNext] < windowNanos;
    }

    /** Whether a split-brain warning for this peer may be logged now (one per {@code intervalNanos}); records it. */
    public boolean maySplitBrainWarn(long now, long intervalNanos) {
        return splitBrainWarning.tryPass(now, intervalNanos);
    }

    /** Queues a packet (consumed) until a session exists; returns false and releases it when full. */
    public boolean stage(ByteBuf packet) {
        if (staged == null) {
            staged = new ArrayDeque<>();
        } else if (staged.size() >= MAX_STAGED_PACKETS) {
            packet.release();
            return false;
        }
        staged.addLast(packet);
        return true;
    }

    /** Removes and returns the oldest staged packet (caller owns it), or null. */
    public ByteBuf pollStaged() {
        return staged == null ? null : staged.pollFirst();
    }

    public int stagedCount() {
        return staged == null ? 0 : staged.size();
    }

    /** Releases every staged packet; returns how many there were. */
    public int dropStaged() {
        int n = 0;
        ByteBuf b;
        while ((b = pollStaged()) != null) {
            b.release();
            n++;
        }
        return n;
    }

    public void handshakeCompleted(long epochMillis) {
        lastHandshakeEpochMillis = epochMillis;
        handshakesCompleted++;
    }

    public long lastHandshakeEpochMillis() { return lastHandshakeEpochMillis; }
    public long handshakesCompleted() { return handshakesCompleted; }

    /** Counts one transport message received from the peer ({@code bytes} on the wire). Event loop only. */
    public void addRx(int bytes) {
        RX_BYTES.setRelease(this, rxBytes + bytes);
        RX_PACKETS.setRelease(this, rxPackets + 1);
    }

    /** Counts one transport message sent to the peer ({@code bytes} on the wire). Event loop only. */
    public void addTx(int bytes) {
        TX_BYTES.setRelease(this, txBytes + bytes);
        TX_PACKETS.setRelease(this, txPackets + 1);
    }

    public long rxBytes() { return (long) RX_BYTES.getAcquire(this); }
    public long txBytes() { return (long) TX_BYTES.getAcquire(this); }
    public long rxPackets() { return (long) RX_PACKETS.getAcquire(this); }
    public long txPackets() { return (long) TX_PACKETS.getAcquire(this); }

    /** Erases all sessions and handshake state (zeroing keys) and drops staged packets. */
    public void clearAll() {
        keypairs.destroyAll();
        handshake.clear();
        pendingInitiationIndex = 0;
        dropStaged();
    }

    @Override
    public String toString() {
        return name;
    }

    private static VarHandle counter(String field) {
        try {
            return MethodHandles.lookup().findVarHandle(Peer.class, field, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
