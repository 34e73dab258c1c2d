package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.ocbridge.core.ip.Ipv4Reassembler;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.peer.Peer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * This gateway's VXLAN endpoint inside an overlay: its L2 segments by VNI, and the reassembly of VXLAN packets that
 * were fragmented on the way. Opened packets from peers that are UDP to our endpoint address come here instead of the
 * TUN device. One owner thread, the overlay's event loop.
 */
final class VxlanEndpoint {
    /** Fragment reassembly bounds, as Linux's ipfrag_high_thresh (4 MiB) and ipfrag_time (30 s). */
    private static final int REASSEMBLY_MAX_BYTES = 4 << 20;
    private static final int REASSEMBLY_MAX_DATAGRAMS = 1024;
    private static final long REASSEMBLY_TIMEOUT_NANOS = 30_000_000_000L;

    private final ByteBufAllocator alloc;
    private final LongSupplier nanoClock;
    private final DropCounters drops;
    private final IntObjectHashMap<Segment> byVni = new IntObjectHashMap<>();
    private final List<Segment> segments = new ArrayList<>();
    private int localAddress;
    /** Created with the first segment: an overlay without segments claims nothing. */
    private Ipv4Reassembler reassembler;

    VxlanEndpoint(ByteBufAllocator alloc, LongSupplier nanoClock, DropCounters drops) {
        this.alloc = alloc;
        this.nanoClock = nanoClock;
        this.drops = drops;
    }

    /**
     * Adds a segment; {@code localAddress} is this gateway's IPv4 overlay address, where peers send VXLAN. Its VNI must
     * be free (a reload removes a segment before it adds one with the same VNI).
     */
    void add(Segment segment, int localAddress) {
        if (byVni.containsKey(segment.vni())) {
            throw new IllegalArgumentException("segment " + segment.name() + ": VNI " + segment.vni()
                    + " is taken by segment " + byVni.get(segment.vni()).name());
        }
        this.localAddress = localAddress;
        if (reassembler == null) {
            reassembler = new Ipv4Reassembler(alloc, REASSEMBLY_MAX_BYTES, REASSEMBLY_MAX_DATAGRAMS,
                    REASSEMBLY_TIMEOUT_NANOS, nanoClock);
        }
        segments.add(segment);
        byVni.put(segment.vni(), segment);
    }

    /**
     * Removes a segment: from now on its VNI's packets are dropped as {@link DropReason#UNKNOWN_VNI}. With the last
     * segment gone the endpoint claims nothing again (held fragments are released), as if it never had one.
     */
    void remove(Segment segment) {
        if (!segments.remove(segment)) {
            return;
        }
        byVni.remove(segment.vni());
        if (segments.isEmpty() && reassembler != null) {
            reassembler.clear();
            reassembler = null;
        }
    }

    List<Segment> segments() {
        return Collections.unmodifiableList(segments);
    }

    /** Whether the opened IP packet at {@code at} is UDP (or a fragment of it) to our endpoint. Borrows it. */
    boolean claims(ByteBuf packet, int at) {
        return reassembler != null && Ip.version(packet, at) == Ipv4Header.VERSION
                && packet.getInt(at + Ipv4Header.DST_OFFSET) == localAddress
                && packet.getUnsignedByte(at + Ipv4Header.PROTOCOL_OFFSET) == Ip.PROTOCOL_UDP;
    }

    /**
     * A packet {@link #claims claimed} from {@code peer}, whose source address already passed the allowed-ips check:
     * reassembled, then handed to the segment of its VNI. Consumes {@code packet}. Returns what is for the device
     * instead (other UDP to our overlay address, whole), or null.
     */
    ByteBuf deliver(ByteBuf packet, Peer peer) {
        ByteBuf whole = reassembler.offer(packet);
        if (whole == null) {
            return null;  // a fragment, held (or discarded and counted) by the reassembler
        }
        int vni = Vxlan.vni(whole);
        if (vni < 0) {
            return whole;
        }
        Segment segment = byVni.get(vni);
        if (segment == null) {
            whole.release();
            drops.increment(DropReason.UNKNOWN_VNI);
            return null;
        }
        segment.onRemoteFrame(peer, whole, Vxlan.frameOffset(whole, whole.readerIndex()));
        return null;
    }

    /** Timer tick: the segments' upkeep and fragments past their time. */
    void tick() {
        for (Segment segment : segments) {
            segment.tick();
        }
        if (reassembler != null) {
            reassembler.expire();
        }
    }

    /** Releases held fragments. */
    void close() {
        if (reassembler != null) {
            reassembler.clear();
        }
    }
}
