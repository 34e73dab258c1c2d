package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.l2.SegmentCounters.Event;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One stretched L2 segment: a learning switch between the local TAP device and the segment's
 * peers, which it reaches as VXLAN (one VNI) inside the overlay's tunnel.
 *
 * <pre>
 *   TAP frame ─▶ onLocalFrame ─▶ MSS clamp ─▶ dst MAC learned? ─ yes ─▶ that peer
 *                                                           └ no ──▶ every member (head-end replication)
 *             ─▶ VXLAN encap ─▶ fragment to overlay MTU ─▶ {@link Uplink#send}
 *   VXLAN from peer ─▶ onRemoteFrame ─▶ member? ─▶ learn src MAC ─▶ MSS clamp ─▶ TAP write
 * </pre>
 * Frames from a peer only ever go to the TAP (split horizon), so a full mesh of sites cannot loop
 * through ocbridge. Runs on the overlay's event loop.
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

    /** Room a TAP read buffer keeps in front of the frame: tunnel header plus VXLAN encapsulation. */
    public static final int FRAME_HEADROOM = 16 + Vxlan.ENCAP_BYTES;
    private static final long FLAP_WINDOW_NANOS = 1_000_000_000L;
    private static final long FLAP_LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final int vni;
    private final int localVtep;
    private final int overlayMtu;
    private final int maxMssV4;
    private final int maxMssV6;
    private final Member[] members;
    private final MacTable<Member> macs;
    private final Uplink uplink;
    private final FrameSink tap;
    private final ByteBufAllocator alloc;
    private final LongSupplier nanoClock;
    private final Log log;
    private final SegmentCounters counters = new SegmentCounters();
    private int nextIpId;
    private long lastFlapLogNanos;
    private boolean flapLogged;

    public Segment(String name, int vni, int localVtep, int overlayMtu, int maxMssV4, int maxMssV6,
            List<Member> members, int macTableSize, long macAgingNanos, Uplink uplink, FrameSink tap,
            ByteBufAllocator alloc, LongSupplier nanoClock, Log log) {
        this.name = name;
        this.vni = vni;
        this.localVtep = localVtep;
        this.overlayMtu = overlayMtu;
        this.maxMssV4 = maxMssV4;
        this.maxMssV6 = maxMssV6;
        this.members = members.toArray(new Member[0]);
        this.macs = new MacTable<>(macTableSize, macAgingNanos);
        this.uplink = uplink;
        this.tap = tap;
        this.alloc = alloc;
        this.nanoClock = nanoClock;
        this.log = log;
    }

    public String name() { return name; }
    public int vni() { return vni; }
    public SegmentCounters counters() { return counters; }
    public int macTableSize() { return macs.size(); }
    public List<Member> members() { return List.of(members); }

    /** The member for {@code peer}, or null if the peer is not on this segment. */
    public Member memberOf(Peer peer) {
        for (Member m : members) {
            if (m.peer() == peer) {
                return m;
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
            frame.release();
            counters.increment(Event.DROP_MALFORMED);
            return;
        }
        counters.increment(Event.LOCAL_FRAMES);
        if (MssClamp.clamp(frame, maxMssV4, maxMssV6)) {
            counters.increment(Event.MSS_CLAMPED);
        }
        long dst = Ethernet.mac(frame, frame.readerIndex());
        Member target = Ethernet.isGroup(dst) ? null : macs.lookup(dst, nanoClock.getAsLong());
        if (target != null) {
            counters.increment(Event.UNICAST);
            sendTo(target, frame);
            return;
        }
        counters.increment(Event.FLOODED);
        flood(frame, null);
    }

    /** Head-end replication to every member but {@code except}. Consumes {@code frame}. */
    private void flood(ByteBuf frame, Member except) {
        Member last = null;
        for (Member m : members) {
            if (m == except) {
                continue;
            }
            if (last != null) {
                sendTo(last, copyWithHeadroom(frame));
            }
            last = m;
        }
        if (last != null) {
            sendTo(last, frame);
        } else {
            frame.release();
        }
    }

    private ByteBuf copyWithHeadroom(ByteBuf frame) {
        int length = frame.readableBytes();
        ByteBuf copy = alloc.directBuffer(FRAME_HEADROOM + length + 31);
        copy.setIndex(FRAME_HEADROOM, FRAME_HEADROOM);
        copy.writeBytes(frame, frame.readerIndex(), length);
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
        Ipv4Fragmenter.fragment(frame, overlayMtu, alloc, 16, 31, fragment -> uplink.send(member.peer(), fragment));
    }

    /**
     * A VXLAN packet for this segment from {@code peer}, authenticated by the tunnel, with the
     * inner frame at {@code frameAt}. Consumes {@code packet}.
     */
    public void onRemoteFrame(Peer peer, ByteBuf packet, int frameAt) {
        Member from = memberOf(peer);
        if (from == null) {
            packet.release();
            counters.increment(Event.DROP_NOT_MEMBER);
            return;
        }
        int length = packet.writerIndex() - frameAt;
        if (length < Ethernet.HEADER_BYTES || length > Ethernet.MAX_FRAME_BYTES) {
            packet.release();
            counters.increment(Event.DROP_MALFORMED);
            return;
        }
        packet.readerIndex(frameAt);
        long src = Ethernet.mac(packet, frameAt + Ethernet.SRC_OFFSET);
        if (!Ethernet.isGroup(src)) {
            learn(src, from);
        }
        if (MssClamp.clamp(packet, maxMssV4, maxMssV6)) {
            counters.increment(Event.MSS_CLAMPED);
        }
        counters.increment(Event.REMOTE_FRAMES);
        boolean written = tap.write(packet);
        packet.release();
        if (!written) {
            counters.increment(Event.DROP_DEVICE);
        }
    }

    private void learn(long mac, Member from) {
        long now = nanoClock.getAsLong();
        long sinceMove = macs.sinceLastMove(mac, now);
        switch (macs.learn(mac, from, now)) {
            case NEW -> counters.increment(Event.MAC_LEARNED);
            case MOVED -> {
                counters.increment(Event.MAC_MOVED);
                if (sinceMove >= 0 && sinceMove < FLAP_WINDOW_NANOS) {
                    counters.increment(Event.MAC_FLAPPING);
                    if (!flapLogged || now - lastFlapLogNanos >= FLAP_LOG_INTERVAL_NANOS) {
                        flapLogged = true;
                        lastFlapLogNanos = now;
                        log.warn("mac-flapping", "segment=" + name + " mac=" + Ethernet.format(mac)
                                + " peer=" + from.peer().name() + " reason=loop-or-duplicate-mac");
                    }
                } else {
                    log.info("mac-moved", "segment=" + name + " mac=" + Ethernet.format(mac) + " peer=" + from.peer().name());
                }
            }
            case FULL -> counters.increment(Event.MAC_TABLE_FULL);
            case REFRESHED -> { }
        }
    }

    /** Ages the MAC table; call on the overlay tick. */
    public void tick() {
        macs.expire(nanoClock.getAsLong());
    }
}
