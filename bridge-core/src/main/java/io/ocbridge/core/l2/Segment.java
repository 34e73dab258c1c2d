package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.counters.IntervalGate;
import io.ocbridge.core.ip.Ipv4Fragmenter;
import io.ocbridge.core.ip.MssClamp;
import io.ocbridge.core.l2.SegmentCounters.Event;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.peer.Peer;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * One stretched L2 segment: a learning switch between the local TAP device and the segment's
 * peers, which it reaches as VXLAN (one VNI) inside the overlay's tunnel.
 *
 * <pre>
 *   TAP frame ─▶ onLocalFrame ─▶ learn src MAC (local side) ─▶ DHCP guard ─▶ ARP/NS we can answer? ─ yes ─▶ reply
 *             ─▶ MSS clamp ─▶ dst MAC learned? ─ yes ─▶ that peer
 *                                              └ no ──▶ every member under its flood limit (head-end replication)
 *             ─▶ VXLAN encap ─▶ fragment to overlay MTU ─▶ {@link Uplink#send}
 *   VXLAN from peer ─▶ onRemoteFrame ─▶ member? ─▶ DHCP guard ─▶ learn src MAC (damped?) ─▶ flood limit
 *             ─▶ learn ARP/NA binding ─▶ MSS clamp ─▶ TAP write
 *             ─▶ relay only: to the learned peer, or flooded to the other members (split horizon)
 * </pre>
 * Without relay, frames from a peer only ever go to the TAP (split horizon), so a full mesh of sites
 * cannot loop through ocbridge. With relay (a hub), spokes must peer only with the hub. Runs on the
 * overlay's event loop; counters and {@link #publishedMacTableSize} may be read from any thread.
 */
public final class Segment {
    /** Where encapsulated packets go: the overlay's encrypt-and-send path for one peer. */
    public interface Uplink {
        /** Sends one IPv4 packet to {@code peer} through the tunnel. Consumes {@code packet}. */
        void send(Peer peer, ByteBuf packet);
    }

    /** The local end: writes frames to the TAP device. Borrows {@code frame}. */
    public interface FrameSink {
        boolean write(ByteBuf frame);
    }

    /** A peer of the segment with its VXLAN endpoint. */
    public record Member(Peer peer, int vtep) {}

    /**
     * A member with its per-peer state: flood limiters for both directions (null when off). The MAC and ARP/ND tables
     * hold ports as owners, so a port lives as long as its member does; a new flood limit only replaces its limiters.
     */
    private static final class Port {
        final Member member;
        FloodLimiter towards;
        FloodLimiter from;
        boolean selected;

        Port(Member member, int floodLimitPerSecond) {
            this.member = member;
            limit(floodLimitPerSecond);
        }

        void limit(int floodLimitPerSecond) {
            this.towards = floodLimitPerSecond > 0 ? new FloodLimiter(floodLimitPerSecond) : null;
            this.from = floodLimitPerSecond > 0 ? new FloodLimiter(floodLimitPerSecond) : null;
        }
    }

    /** Room a TAP read buffer keeps in front of the frame: tunnel header plus VXLAN encapsulation. */
    public static final int FRAME_HEADROOM = 16 + Vxlan.ENCAP_BYTES;
    /** Tunnel padding and authentication tag after the frame. */
    private static final int FRAME_TAILROOM = 31;
    private static final long FLAP_WINDOW_NANOS = 1_000_000_000L;
    private static final long EVENT_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final String device;
    private final int vni;
    private final int localVtep;
    private final int overlayMtu;
    /** The local side (the TAP) as an owner in {@link #macs}: damping prefers it over any peer. */
    private final Port localSide = new Port(null, 0);
    // What a reload may change in place (reconfigure); written and read on the event loop only.
    private SegmentSpec spec;
    private int maxMssV4;
    private int maxMssV6;
    private SegmentOptions options;
    private Member[] members;
    private Port[] ports;
    private MacTable<Port> macs;
    private LocalMacs localMacs;
    private MacAnnouncer<Port> announcer;
    private NeighborTable neighbors;
    private final Uplink uplink;
    private final FrameSink tap;
    private final ByteBufAllocator alloc;
    private final LongSupplier nanoClock;
    private final Log log;
    private final SegmentCounters counters = new SegmentCounters();
    private volatile int publishedMacTableSize;
    /** Whether a MAC is learned behind a peer at {@link #lookupNanos}; one instance, no allocation per frame. */
    private final LongPredicate macBound = this::isMacBound;
    private long lookupNanos;
    private int nextIpId;
    private final IntervalGate flapLog = new IntervalGate();
    private final IntervalGate dampLog = new IntervalGate();
    private final IntervalGate moveLog = new IntervalGate();
    /** False on an HA standby: both gateways' TAPs sit in one LAN, so only the active one may carry frames. */
    private boolean active = true;

    /**
     * A segment as {@code spec} describes it, between the local TAP ({@code tap}) and {@code members}, reached through
     * {@code uplink}.
     */
    public Segment(SegmentSpec spec, List<Member> members, Uplink uplink, FrameSink tap, ByteBufAllocator alloc,
            LongSupplier nanoClock, Log log) {
        this.name = spec.name();
        this.device = spec.device();
        this.vni = spec.vni();
        this.localVtep = spec.localVtep();
        this.overlayMtu = spec.overlayMtuBytes();
        this.uplink = uplink;
        this.tap = tap;
        this.alloc = alloc;
        this.nanoClock = nanoClock;
        this.log = log;
        this.spec = spec;
        this.maxMssV4 = spec.maxMssV4();
        this.maxMssV6 = spec.maxMssV6();
        this.options = spec.options();
        this.localMacs = new LocalMacs(spec.macTableSize(), spec.macAgingNanos());
        this.members = members.toArray(new Member[0]);
        this.ports = ports(this.members, options.floodLimitPerSecond(), new Port[0]);
        resetTables();
    }

    /**
     * A reload changed this segment's options, sizes or members: applied in place, on the event loop. The TAP, the
     * counters and the HA role stay; a member that stays keeps its port and flood limiters (new ones if the limit
     * changed). The MAC and ARP/ND tables are kept when neither the members nor their bounds changed; otherwise they
     * start empty (each peer's share depends on the member count, and no entry may point at a member that left):
     * unknown destinations flood until learned again. The VNI, name, device and the overlay's endpoint and MTU cannot
     * change here.
     */
    public void reconfigure(SegmentSpec next, List<Member> nextMembers) {
        if (next.vni() != vni || !next.name().equals(name) || !next.device().equals(device)
                || next.localVtep() != localVtep || next.overlayMtuBytes() != overlayMtu) {
            throw new IllegalArgumentException("segment " + name + ": only options, sizes and members change in place");
        }
        Member[] memberArray = nextMembers.toArray(new Member[0]);
        boolean sameMembers = Arrays.equals(memberArray, members);
        int floodLimit = next.options().floodLimitPerSecond();
        boolean sameTables = next.macTableSize() == spec.macTableSize() && next.macAgingNanos() == spec.macAgingNanos()
                && next.options().macFlapLimit() == options.macFlapLimit()
                && next.options().macFlapHoldNanos() == options.macFlapHoldNanos();
        if (!sameMembers) {
            ports = ports(memberArray, options.floodLimitPerSecond(), ports);
        }
        if (floodLimit != options.floodLimitPerSecond()) {
            for (Port port : ports) {
                port.limit(floodLimit);
            }
        }
        members = memberArray;
        if (next.macTableSize() != spec.macTableSize() || next.macAgingNanos() != spec.macAgingNanos()) {
            localMacs = new LocalMacs(next.macTableSize(), next.macAgingNanos());
        }
        spec = next;
        maxMssV4 = next.maxMssV4();
        maxMssV6 = next.maxMssV6();
        options = next.options();
        if (!sameMembers || !sameTables) {
            resetTables();
        }
    }

    /** A port per member; one of {@code kept} is reused for a member it already serves. */
    private static Port[] ports(Member[] members, int floodLimitPerSecond, Port[] kept) {
        Port[] result = new Port[members.length];
        for (int i = 0; i < members.length; i++) {
            for (Port old : kept) {
                if (old.member.equals(members[i])) {
                    result[i] = old;
                }
            }
            if (result[i] == null) {
                result[i] = new Port(members[i], floodLimitPerSecond);
            }
        }
        return result;
    }

    /** Empty MAC and ARP/ND tables and announcement queue, sized by {@link #spec} and the member count. */
    private void resetTables() {
        int macTableSize = spec.macTableSize();
        int share = fairShare(macTableSize, ports.length);
        macs = new MacTable<>(macTableSize, share, spec.macAgingNanos(), options.macFlapLimit(),
                options.macFlapHoldNanos(), localSide);
        announcer = new MacAnnouncer<>(macTableSize);
        neighbors = new NeighborTable(macTableSize, share, spec.macAgingNanos());
        publishedMacTableSize = 0;
    }

    public String name() { return name; }
    public String device() { return device; }
    public int vni() { return vni; }
    /** Event loop only (a reload may change them). */
    public SegmentOptions options() { return options; }
    /** What the segment runs now; event loop only. */
    public SegmentSpec spec() { return spec; }
    public SegmentCounters counters() { return counters; }
    /** Event loop only. */
    public int macTableSize() { return macs.size(); }
    /** The MAC table size as of the last learn or tick; any thread. */
    public int publishedMacTableSize() { return publishedMacTableSize; }
    /** Event loop only. */
    public int neighborTableSize() { return neighbors.size(); }
    /** Event loop only. */
    public List<Member> members() { return List.of(members); }

    /** The member for {@code peer}, or null if the peer is not on this segment. */
    public Member memberOf(Peer peer) {
        Port port = portOf(peer);
        return port == null ? null : port.member;
    }

    private Port portOf(Peer peer) {
        for (Port p : ports) {
            if (p.member.peer() == peer) {
                return p;
            }
        }
        return null;
    }

    /**
     * A frame read from the TAP device. Consumes {@code frame}; it must have
     * {@link #FRAME_HEADROOM} bytes before its readerIndex.
     */
    public void onLocalFrame(ByteBuf frame) {
        int length = frame.readableBytes();
        if (length < Ethernet.HEADER_BYTES || length > Ethernet.MAX_FRAME_BYTES) {
            drop(frame, Event.DROP_MALFORMED);
            return;
        }
        if (!active) {
            // Not even learned: the LAN also carries the active gateway's frames from peers, whose sources are remote.
            drop(frame, Event.DROP_STANDBY);
            return;
        }
        int at = frame.readerIndex();
        long now = nanoClock.getAsLong();
        long src = Ethernet.mac(frame, at + Ethernet.SRC_OFFSET);
        if (!Ethernet.isGroup(src)) {
            if (macs.lookup(src, now) == null) {
                localMacs.seen(src, now);  // a source learned behind a peer is a remote host heard again: not announced
            }
            learn(src, localSide, now);  // never refused: the local side keeps its MACs against any peer
        }
        counters.increment(Event.LOCAL_FRAMES);
        int end = frame.writerIndex();
        if (options.dhcpBlock() && Dhcp.mayBeClientMessage(frame, at, end)) {
            drop(frame, Event.DROP_DHCP_GUARD);
            return;
        }
        if (options.arpSuppression() && answerLocally(frame, at, end, now)) {
            return;
        }
        if (MssClamp.clamp(frame, maxMssV4, maxMssV6)) {
            counters.increment(Event.MSS_CLAMPED);
        }
        long dst = Ethernet.mac(frame, at);
        Port target = Ethernet.isGroup(dst) ? null : macs.lookup(dst, now);
        if (target != null) {
            counters.increment(Event.UNICAST);
            sendTo(target.member, frame);
            return;
        }
        counters.increment(Event.FLOODED);
        flood(frame, null, now);
    }

    /** Answers an ARP request or NS from the neighbor table, writing the reply to the TAP. Consumes {@code frame} if true. */
    private boolean answerLocally(ByteBuf frame, int at, int end, long now) {
        int type = frame.getUnsignedShort(at + Ethernet.TYPE_OFFSET);
        if (type != Ethernet.TYPE_ARP && type != Ethernet.TYPE_IPV6) {
            return false;
        }
        lookupNanos = now;
        int replyBytes = Neighbors.answer(frame, at, end, frame.capacity(), neighbors, now, macBound);
        if (replyBytes == 0) {
            return false;
        }
        frame.writerIndex(at + replyBytes);
        counters.increment(type == Ethernet.TYPE_ARP ? Event.ARP_SUPPRESSED : Event.ND_SUPPRESSED);
        boolean written;
        try {
            written = tap.write(frame);
        } finally {
            frame.release();  // the TAP borrows it, also when it throws
        }
        if (!written) {
            counters.increment(Event.DROP_DEVICE);
        }
        return true;
    }

    private boolean isMacBound(long mac) {
        return macs.lookup(mac, lookupNanos) != null;
    }

    /**
     * Head-end replication to every member but {@code except} whose flood limit allows it.
     * Consumes {@code frame}.
     */
    private void flood(ByteBuf frame, Port except, long now) {
        Port last = null;
        for (Port p : ports) {
            p.selected = p != except && (p.towards == null || p.towards.tryAcquire(now));
            if (p != except && !p.selected) {
                counters.increment(Event.DROP_FLOOD_LIMIT);
            }
        }
        for (Port p : ports) {
            if (!p.selected) {
                continue;
            }
            if (last != null) {
                sendTo(last.member, copyWithHeadroom(frame));
            }
            last = p;
        }
        if (last != null) {
            sendTo(last.member, frame);
        } else {
            frame.release();
        }
    }

    private ByteBuf copyWithHeadroom(ByteBuf frame) {
        int length = frame.readableBytes();
        ByteBuf copy = alloc.directBuffer(FRAME_HEADROOM + length + FRAME_TAILROOM);
        copy.setIndex(FRAME_HEADROOM, FRAME_HEADROOM);
        ByteBufViews.append(copy, frame, frame.readerIndex(), length);
        return copy;
    }

    /** Encapsulates and sends one frame to one member, fragmenting to the overlay MTU. Consumes {@code frame}. */
    private void sendTo(Member member, ByteBuf frame) {
        Vxlan.encapsulate(frame, vni, localVtep, member.vtep(), nextIpId++ & 0xffff);
        if (frame.readableBytes() <= overlayMtu) {
            uplink.send(member.peer(), frame);
            return;
        }
        counters.increment(Event.FRAGMENTED);
        Ipv4Fragmenter.fragment(frame, overlayMtu, alloc, 16, FRAME_TAILROOM,
                fragment -> uplink.send(member.peer(), fragment));
    }

    /**
     * A VXLAN packet for this segment from {@code peer}, authenticated by the tunnel, with the
     * inner frame at {@code frameAt}. Consumes {@code packet}.
     */
    public void onRemoteFrame(Peer peer, ByteBuf packet, int frameAt) {
        Port from = portOf(peer);
        if (from == null) {
            drop(packet, Event.DROP_NOT_MEMBER);
            return;
        }
        int end = packet.writerIndex();
        int length = end - frameAt;
        if (length < Ethernet.HEADER_BYTES || length > Ethernet.MAX_FRAME_BYTES) {
            drop(packet, Event.DROP_MALFORMED);
            return;
        }
        packet.readerIndex(frameAt);
        long now = nanoClock.getAsLong();
        if (options.dhcpBlock() && Dhcp.mayBeServerMessage(packet, frameAt, end)) {
            drop(packet, Event.DROP_DHCP_GUARD);
            return;
        }
        long src = Ethernet.mac(packet, frameAt + Ethernet.SRC_OFFSET);
        if (!Ethernet.isGroup(src) && !learn(src, from, now)) {
            drop(packet, Event.DROP_MAC_DAMPED);
            return;
        }
        long dst = Ethernet.mac(packet, frameAt);
        boolean group = Ethernet.isGroup(dst);
        Port target = options.relay() && !group ? macs.lookup(dst, now) : null;
        boolean flooded = group || (options.relay() && target == null);
        if (flooded && from.from != null && !from.from.tryAcquire(now)) {
            drop(packet, Event.DROP_FLOOD_LIMIT);
            return;
        }
        if (options.arpSuppression()) {
            learnNeighbor(packet, frameAt, end, from, now);
        }
        if (MssClamp.clamp(packet, maxMssV4, maxMssV6)) {
            counters.increment(Event.MSS_CLAMPED);
        }
        if (target != null && target != from) {
            counters.increment(Event.RELAYED);
            sendTo(target.member, copyWithHeadroom(packet));
            packet.release();
            return;
        }
        counters.increment(Event.REMOTE_FRAMES);
        try {
            if (!tap.write(packet)) {
                counters.increment(Event.DROP_DEVICE);
            }
            if (flooded && options.relay() && ports.length > 1) {
                counters.increment(Event.RELAYED);
                flood(copyWithHeadroom(packet), from, now);
            }
        } finally {
            packet.release();  // the TAP and the copy borrow it, also when they throw
        }
    }

    private void learnNeighbor(ByteBuf frame, int at, int end, Port from, long now) {
        NeighborTable.Learned learned = Neighbors.learn(frame, at, end, neighbors, from, now);
        if (learned == NeighborTable.Learned.NEW || learned == NeighborTable.Learned.CHANGED) {
            counters.increment(Event.NEIGHBOR_LEARNED);
        } else if (learned == NeighborTable.Learned.FULL) {
            counters.increment(Event.NEIGHBOR_TABLE_FULL);
        } else if (learned == NeighborTable.Learned.SHARE_FULL) {
            counters.increment(Event.NEIGHBOR_SHARE_FULL);
        }
    }

    /**
     * Learns {@code mac} behind {@code from} (a peer or the local side); false if the MAC is damped and the frame
     * must be dropped.
     */
    private boolean learn(long mac, Port from, long now) {
        long sinceMove = macs.sinceLastMove(mac, now);
        MacTable.Learned learned = macs.learn(mac, from, now);
        switch (learned) {
            case NEW -> {
                counters.increment(Event.MAC_LEARNED);
                publishedMacTableSize = macs.size();
            }
            case MOVED -> {
                counters.increment(Event.MAC_MOVED);
                if (sinceMove >= 0 && sinceMove < FLAP_WINDOW_NANOS) {
                    counters.increment(Event.MAC_FLAPPING);
                    if (flapLog.tryPass(now, EVENT_LOG_INTERVAL_NANOS)) {
                        log.warn("mac-flapping", "mac=" + Ethernet.format(mac)
                                + " peer=" + nameOf(from) + " reason=loop-or-duplicate-mac");
                    }
                } else if (moveLog.tryPass(now, EVENT_LOG_INTERVAL_NANOS)) {
                    log.info("mac-moved", "mac=" + Ethernet.format(mac)
                            + " peer=" + nameOf(from));
                }
            }
            case FROZEN, KEPT -> {
                counters.increment(Event.MAC_FLAPPING);
                counters.increment(Event.MAC_DAMPED);
                Port keeper = macs.lookup(mac, now);
                if (dampLog.tryPass(now, EVENT_LOG_INTERVAL_NANOS)) {
                    log.warn("mac-damped", "mac=" + Ethernet.format(mac)
                            + " peer=" + nameOf(from) + " keeper=" + nameOf(keeper == null ? localSide : keeper)
                            + " hold-seconds=" + options.macFlapHoldNanos() / 1_000_000_000L
                            + " reason=loop-or-duplicate-mac");
                }
                return learned == MacTable.Learned.KEPT;
            }
            case DAMPED -> {
                return false;
            }
            case FULL -> counters.increment(Event.MAC_TABLE_FULL);
            case SHARE_FULL -> counters.increment(Event.MAC_SHARE_FULL);
            case REFRESHED -> { }
        }
        return true;
    }

    /** The log name of a port: its peer, or {@code (local)} for the TAP side. */
    private static String nameOf(Port port) {
        return port.member == null ? "(local)" : port.member.peer().name();
    }

    /** Each peer's share of the MAC and neighbour tables, so that one peer flooding them leaves room for the others. */
    private static int fairShare(int macTableSize, int peers) {
        return peers <= 1 ? macTableSize : Math.max(1, (macTableSize + peers - 1) / peers);
    }

    private void drop(ByteBuf buf, Event reason) {
        buf.release();
        counters.increment(reason);
    }

    /**
     * The session with {@code peer} started afresh (a first handshake, a new endpoint, or a handshake that replaced a
     * young session: the peer restarted, or another gateway took over for it): tells it every MAC live on our side, so
     * the switches of its LAN point them at it now. Paced by the tick ({@link MacAnnouncer}). Event loop.
     */
    public void announceLocalMacs(Peer peer) {
        Port port = portOf(peer);
        if (port == null || !active) {
            return;
        }
        localMacs.forEachLive(nanoClock.getAsLong(), mac -> announcer.offer(port, mac));
    }

    /** HA standby: local frames are dropped and nothing, ARP answers included, goes into the LAN. Event loop. */
    public void standBy() {
        active = false;
    }

    /** Local MACs known now (live or not yet aged out); event loop only. */
    public int localMacCount() {
        return localMacs.size();
    }

    /** HA takeover: the segment carries frames again. Event loop. */
    public void activate() {
        active = true;
    }

    /** Ages the MAC and neighbor tables; call on the overlay tick. */
    public void tick() {
        long now = nanoClock.getAsLong();
        macs.expire(now);
        localMacs.expire(now);
        neighbors.expire(now);
        if (active && announcer.queued() > 0) {
            announcer.drain(alloc, FRAME_HEADROOM, FRAME_TAILROOM, (port, frame) -> {
                counters.increment(Event.MAC_ANNOUNCED);
                sendTo(port.member, frame);
            });
        }
        publishedMacTableSize = macs.size();
    }
}
