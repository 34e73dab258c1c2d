package io.ocbridge.core.offload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.packet.TcpHeader;
import java.util.function.Consumer;

/**
 * Network → device: receive-side GRO for writes to an IFF_VNET_HDR TUN device. In-sequence TCP segments of one
 * flow are merged into a super-packet the kernel takes as a single GSO write (gso_type TCPV4/TCPV6), so the
 * receiving stack sees one 64 KiB packet instead of 45; everything else is written through with an all-zero
 * virtio_net_hdr in the room the caller left before the packet (no copy).
 *
 * <p>One instance per device writer; single thread, no locks. Holds at most {@link #MAX_FLOWS} packets or
 * super-packets between {@link #offer} and {@link #flush}: the memory bound whatever a peer sends.
 *
 * <p>Merge rule (what Linux's tcp_gro_receive would also accept): same addresses and ports; identical IPv4
 * TOS, TTL, DF and options (IPv6: version/traffic class/flow label and hop limit; no extension headers);
 * identical TCP header length and option bytes, ACK number and window; flags ACK only, PSH allowed on the last
 * segment (it ends the run); seq = previous seq + previous payload; every payload the size of the first, the
 * last may be shorter (it ends the run); TCP checksum verified (a segment that fails is written through alone,
 * for the kernel to drop and count); at most {@link #MAX_SEGMENTS} segments and {@link #MAX_IP_BYTES} of IP.
 */
public final class TcpCoalescer {
    /**
     * Open flows held at once; a new flow beyond it writes out the oldest. Linux holds as many per GRO list
     * (MAX_GRO_SKBS = 8); the bound keeps held memory at 8 x 64 KiB whatever arrives.
     */
    public static final int MAX_FLOWS = 8;
    /** Segments per super-packet (implementation choice, far below the TUN device's gso_max_segs of 65,535). */
    public static final int MAX_SEGMENTS = 64;
    /** IP bytes of a super-packet: the IPv4 total length field (and the 64 KiB a TUN write carries without BIG TCP). */
    public static final int MAX_IP_BYTES = 65_535;

    private static final int SUPER_CAPACITY = VirtioNetHeader.SIZE + Ethernet.MAX_HEADER_BYTES + MAX_IP_BYTES;
    /** The flags of a segment that may join a run; PSH also ends it. */
    private static final int FLAGS_ACK = TcpHeader.FLAG_ACK;
    private static final int FLAGS_ACK_PSH = TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH;

    /** What {@link #parse} found in the offered packet. */
    private static final int NOT_TCP = 0;
    private static final int TCP_OTHER = 1;
    private static final int CANDIDATE = 2;

    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> deviceWriter;
    /** TAP: packets are Ethernet frames; the link header (and VLAN tags) is part of the flow and repeated once. */
    private final boolean ethernet;
    private final Flow[] flows = new Flow[MAX_FLOWS];
    private long nextAge;

    // The offered packet as parse() found it (single thread: fields, not an object per packet).
    private int l2;
    private boolean ipv6;
    private int ipBytes;
    private int tcpBytes;
    private int payloadBytes;
    private int seq;
    private boolean psh;

    /** {@code deviceWriter} consumes a buffer whose readerIndex is at a virtio_net_hdr followed by the packet. */
    public TcpCoalescer(ByteBufAllocator alloc, Consumer<ByteBuf> deviceWriter) {
        this(alloc, deviceWriter, false);
    }

    private TcpCoalescer(ByteBufAllocator alloc, Consumer<ByteBuf> deviceWriter, boolean ethernet) {
        this.alloc = alloc;
        this.deviceWriter = deviceWriter;
        this.ethernet = ethernet;
        for (int i = 0; i < flows.length; i++) {
            flows[i] = new Flow();
        }
    }

    /**
     * A coalescer for a TAP device: offered packets are Ethernet frames (readerIndex at the frame), merged when
     * their link headers (addresses, VLAN tags) are identical too; the super-frame's csum_start counts from the
     * frame's first byte.
     */
    public static TcpCoalescer forFrames(ByteBufAllocator alloc, Consumer<ByteBuf> deviceWriter) {
        return new TcpCoalescer(alloc, deviceWriter, true);
    }

    /** A held run of segments of one flow; {@code held == null} when the slot is free. */
    private static final class Flow {
        /** The first packet alone (readerIndex at its start), or once a second joined our super buffer (start at SIZE). */
        ByteBuf held;
        /** Link header bytes before the IP header (0 on a TUN). */
        int l2;
        boolean merged;
        /** The TCP checksum of the lone first packet was checked (done only when a second segment wants to join). */
        boolean verified;
        boolean ipv6;
        int ipBytes;
        int tcpBytes;
        /** Payload of the first segment: the super-packet's gso_size. */
        int segmentPayloadBytes;
        int segments;
        int totalIpBytes;
        int nextSeq;
        /** The last segment was short or carried PSH: nothing may follow. */
        boolean closed;
        long age;
    }

    /**
     * Offers one decrypted, authenticated IP packet: readerIndex at the IP header, at least
     * {@link VirtioNetHeader#SIZE} free bytes before it (if not, it is copied). Consumes it: it is held, merged
     * and released, or passed to the device writer. Never throws on any packet content.
     */
    public void offer(ByteBuf packet) {
        int start = packet.readerIndex();
        l2 = ethernet ? Ethernet.ipOffset(packet, start, packet.readableBytes()) : 0;
        if (l2 < 0) {
            writeThrough(packet);
            return;
        }
        int ip = start + l2;
        int length = packet.readableBytes() - l2;
        int kind = parse(packet, ip, length);
        if (kind == NOT_TCP) {
            writeThrough(packet);
            return;
        }
        Flow flow = find(packet, start, ip);
        if (kind == TCP_OTHER) {
            if (flow != null) {
                writeOut(flow);  // keep the flow's order: what it held goes first
            }
            writeThrough(packet);
            return;
        }
        if (flow != null) {
            if (canAppend(flow, packet, ip)) {
                if (!checksumValid(packet, ip, length, ipv6, ipBytes)) {
                    writeOut(flow);
                    writeThrough(packet);
                    return;
                }
                if (flow.verified || checksumValid(flow.held, flow.held.readerIndex() + flow.l2, flow.totalIpBytes,
                        flow.ipv6, flow.ipBytes)) {
                    flow.verified = true;
                    append(flow, packet, ip);
                    return;
                }
                writeOut(flow);  // the held packet fails its checksum: alone, for the kernel to drop
                open(packet, length, true);
                return;
            }
            writeOut(flow);
        }
        if (psh) {
            writeThrough(packet);  // nothing may follow it: holding it would only delay it
            return;
        }
        open(packet, length, false);
    }

    /** End of a receive burst: writes out everything held, oldest flow first. */
    public void flush() {
        for (Flow oldest = oldest(); oldest != null; oldest = oldest()) {
            writeOut(oldest);
        }
    }

    /** Releases everything held without writing it (shutdown). */
    public void clear() {
        for (Flow f : flows) {
            if (f.held != null) {
                ByteBuf b = f.held;
                f.held = null;
                b.release();
            }
        }
    }

    /** Flows held right now (at most {@link #MAX_FLOWS}). */
    public int openFlows() {
        int n = 0;
        for (Flow f : flows) {
            if (f.held != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * Classifies the packet and, for TCP, fills the parse fields. TCP_OTHER has a readable 4-tuple but may not
     * be merged; CANDIDATE may (checksum still unverified).
     */
    private int parse(ByteBuf p, int ip, int length) {
        if (length < Ipv4Header.HEADER_BYTES) {
            return NOT_TCP;
        }
        int version = Ip.version(p, ip);
        boolean exactLength;
        if (version == Ipv4Header.VERSION) {
            ipv6 = false;
            ipBytes = Ipv4Header.headerBytes(p, ip);
            if (ipBytes < Ipv4Header.HEADER_BYTES || ipBytes + TcpHeader.HEADER_BYTES > length
                    || p.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ip.PROTOCOL_TCP
                    || Ipv4Header.isFragment(p, ip)) {
                return NOT_TCP;  // fragments included: only the first would carry ports
            }
            exactLength = p.getUnsignedShort(ip + Ipv4Header.TOTAL_LENGTH_OFFSET) == length
                    && Checksums.sum(p, ip, ipBytes, 0) == 0xffff;  // merging recomputes it: never launder a bad one
        } else if (version == Ipv6Header.VERSION) {
            ipv6 = true;
            ipBytes = Ipv6Header.HEADER_BYTES;
            if (Ipv6Header.HEADER_BYTES + TcpHeader.HEADER_BYTES > length
                    || p.getUnsignedByte(ip + Ipv6Header.NEXT_HEADER_OFFSET) != Ip.PROTOCOL_TCP) {
                return NOT_TCP;  // extension headers included
            }
            exactLength = p.getUnsignedShort(ip + Ipv6Header.PAYLOAD_LENGTH_OFFSET) + Ipv6Header.HEADER_BYTES == length;
        } else {
            return NOT_TCP;
        }
        int tcp = ip + ipBytes;
        int dataOffsetByte = p.getUnsignedByte(tcp + TcpHeader.DATA_OFFSET_OFFSET);
        tcpBytes = TcpHeader.headerBytes(dataOffsetByte);
        payloadBytes = length - ipBytes - tcpBytes;
        int flags = p.getUnsignedByte(tcp + TcpHeader.FLAGS_OFFSET);
        if (!exactLength || tcpBytes < TcpHeader.HEADER_BYTES || payloadBytes <= 0
                || (dataOffsetByte & TcpHeader.DATA_OFFSET_RESERVED_MASK) != 0
                || (flags != FLAGS_ACK && flags != FLAGS_ACK_PSH)) {
            return TCP_OTHER;
        }
        seq = p.getInt(tcp + TcpHeader.SEQ_OFFSET);
        psh = flags == FLAGS_ACK_PSH;
        return CANDIDATE;
    }

    /** The open flow with the offered packet's addresses and ports (parse fields set), or null. */
    private Flow find(ByteBuf p, int start, int ip) {
        for (Flow f : flows) {
            if (f.held == null || f.ipv6 != ipv6 || f.l2 != l2) {
                continue;
            }
            ByteBuf h = f.held;
            int hip = h.readerIndex() + l2;
            if (l2 > 0 && !ByteBufUtil.equals(h, h.readerIndex(), p, start, l2)) {
                continue;
            }
            // Source and destination address, adjacent in either header (IPv4: one long).
            boolean same = ipv6
                    ? ByteBufUtil.equals(h, hip + Ipv6Header.SRC_OFFSET, p, ip + Ipv6Header.SRC_OFFSET,
                            2 * Ipv6Header.ADDRESS_BYTES)
                    : h.getLong(hip + Ipv4Header.SRC_OFFSET) == p.getLong(ip + Ipv4Header.SRC_OFFSET);
            if (same && h.getInt(hip + f.ipBytes) == p.getInt(ip + ipBytes)) {
                return f;
            }
        }
        return null;
    }

    /** Whether the offered candidate continues {@code f} (everything but the checksum). */
    private boolean canAppend(Flow f, ByteBuf p, int ip) {
        if (f.closed || f.segments >= MAX_SEGMENTS || seq != f.nextSeq || payloadBytes > f.segmentPayloadBytes
                || f.totalIpBytes + payloadBytes > MAX_IP_BYTES || f.ipBytes != ipBytes || f.tcpBytes != tcpBytes) {
            return false;
        }
        ByteBuf h = f.held;
        int hip = h.readerIndex() + f.l2;
        if (ipv6) {
            if (h.getInt(hip) != p.getInt(ip)
                    || h.getByte(hip + Ipv6Header.HOP_LIMIT_OFFSET) != p.getByte(ip + Ipv6Header.HOP_LIMIT_OFFSET)) {
                return false;
            }
        } else if (h.getByte(hip + Ipv4Header.TOS_OFFSET) != p.getByte(ip + Ipv4Header.TOS_OFFSET)
                || h.getByte(hip + Ipv4Header.TTL_OFFSET) != p.getByte(ip + Ipv4Header.TTL_OFFSET)
                || (h.getShort(hip + Ipv4Header.FRAGMENT_OFFSET) & Ipv4Header.FLAG_DF)
                        != (p.getShort(ip + Ipv4Header.FRAGMENT_OFFSET) & Ipv4Header.FLAG_DF)
                || !ByteBufUtil.equals(h, hip + Ipv4Header.HEADER_BYTES, p, ip + Ipv4Header.HEADER_BYTES,
                        ipBytes - Ipv4Header.HEADER_BYTES)) {
            return false;
        }
        int htcp = hip + ipBytes;
        int tcp = ip + ipBytes;
        return h.getInt(htcp + TcpHeader.ACK_OFFSET) == p.getInt(tcp + TcpHeader.ACK_OFFSET)
                && h.getShort(htcp + TcpHeader.WINDOW_OFFSET) == p.getShort(tcp + TcpHeader.WINDOW_OFFSET)
                && ByteBufUtil.equals(h, htcp + TcpHeader.HEADER_BYTES, p, tcp + TcpHeader.HEADER_BYTES,
                        tcpBytes - TcpHeader.HEADER_BYTES);
    }

    /** Starts a flow with the offered candidate, writing out the oldest flow if every slot is taken. */
    private void open(ByteBuf p, int length, boolean verified) {
        Flow f = free();
        if (f == null) {
            f = oldest();
            writeOut(f);
        }
        f.held = p;
        f.l2 = l2;
        f.merged = false;
        f.verified = verified;
        f.ipv6 = ipv6;
        f.ipBytes = ipBytes;
        f.tcpBytes = tcpBytes;
        f.segmentPayloadBytes = payloadBytes;
        f.segments = 1;
        f.totalIpBytes = length;
        f.nextSeq = seq + payloadBytes;
        f.closed = false;
        f.age = nextAge++;
    }

    /** Appends the verified candidate's payload to {@code f}; copies the first packet into a super buffer on the first join. */
    private void append(Flow f, ByteBuf p, int ip) {
        if (!f.merged) {
            ByteBuf first = f.held;
            ByteBuf merged = alloc.directBuffer(SUPER_CAPACITY, SUPER_CAPACITY);
            merged.setIndex(VirtioNetHeader.SIZE, VirtioNetHeader.SIZE);
            ByteBufViews.append(merged, first, first.readerIndex(), f.l2 + f.totalIpBytes);
            f.held = merged;
            f.merged = true;
            first.release();
        }
        ByteBufViews.append(f.held, p, ip + ipBytes + tcpBytes, payloadBytes);
        p.release();
        f.segments++;
        f.totalIpBytes += payloadBytes;
        f.nextSeq += payloadBytes;
        if (psh) {
            int flagsAt = f.held.readerIndex() + f.l2 + f.ipBytes + TcpHeader.FLAGS_OFFSET;
            f.held.setByte(flagsAt, f.held.getByte(flagsAt) | TcpHeader.FLAG_PSH);
        }
        f.closed = psh || payloadBytes < f.segmentPayloadBytes;
    }

    /** Writes what {@code f} holds to the device and frees the slot. */
    private void writeOut(Flow f) {
        ByteBuf b = f.held;
        f.held = null;
        if (!f.merged) {
            writeThrough(b);
            return;
        }
        int start = b.readerIndex();
        int ip = start + f.l2;
        if (f.ipv6) {
            b.setShort(ip + Ipv6Header.PAYLOAD_LENGTH_OFFSET, f.totalIpBytes - Ipv6Header.HEADER_BYTES);
        } else {
            b.setShort(ip + Ipv4Header.TOTAL_LENGTH_OFFSET, f.totalIpBytes);
            b.setShort(ip + Ipv4Header.CHECKSUM_OFFSET, 0);
            b.setShort(ip + Ipv4Header.CHECKSUM_OFFSET, Checksums.ipv4Header(b, ip));
        }
        // CHECKSUM_PARTIAL, as the kernel's own stack leaves it (__tcp_v4_send_check / __tcp_v6_send_check:
        // th->check = ~tcp_v4_check(skb->len, saddr, daddr, 0)): the checksum field holds the pseudo-header sum
        // folded to 16 bits and NOT complemented, over the super-packet's whole TCP length. Whoever completes it
        // (skb_checksum_help, a NIC) sums from csum_start to the end on top of that value and stores the
        // complement at csum_start + csum_offset. If the kernel segments the write (tcp_gso_segment), it takes
        // that length back out of the field (oldlen = ~skb->len, "the contribution of skb->len on the input skb
        // TCP checksum") and adds each segment's, so the length must be the super-packet's, not zero.
        // NEEDS_CSUM is what makes tun_get_user (virtio_net_hdr_to_skb -> skb_partial_csum_set) mark the skb
        // CHECKSUM_PARTIAL with our csum_start/csum_offset. wireguard-go's applyTCPCoalesceAccounting
        // (tun/offload_linux.go) writes the same.
        int tcpSegmentBytes = f.totalIpBytes - f.ipBytes;
        int pseudo = f.ipv6
                ? Checksums.pseudoHeaderV6(b, ip, Ip.PROTOCOL_TCP, tcpSegmentBytes)
                : Checksums.pseudoHeaderV4(b, ip, Ip.PROTOCOL_TCP, tcpSegmentBytes);
        b.setShort(ip + f.ipBytes + TcpHeader.CHECKSUM_OFFSET, pseudo);
        int hdr = start - VirtioNetHeader.SIZE;
        VirtioNetHeader.write(b, hdr, VirtioNetHeader.F_NEEDS_CSUM,
                f.ipv6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                f.l2 + f.ipBytes + f.tcpBytes, f.segmentPayloadBytes, f.l2 + f.ipBytes, TcpHeader.CHECKSUM_OFFSET);
        b.readerIndex(hdr);
        deviceWriter.accept(b);
    }

    /** Writes one packet unchanged behind an all-zero virtio_net_hdr, in place when there is room before it. */
    private void writeThrough(ByteBuf p) {
        int ip = p.readerIndex();
        if (ip >= VirtioNetHeader.SIZE) {
            VirtioNetHeader.writeNone(p, ip - VirtioNetHeader.SIZE);
            p.readerIndex(ip - VirtioNetHeader.SIZE);
            deviceWriter.accept(p);
            return;
        }
        int length = p.readableBytes();
        ByteBuf copy;
        try {
            copy = alloc.directBuffer(VirtioNetHeader.SIZE + length);
            copy.writerIndex(VirtioNetHeader.SIZE);
            VirtioNetHeader.writeNone(copy, 0);
            ByteBufViews.append(copy, p, ip, length);
        } finally {
            p.release();
        }
        deviceWriter.accept(copy);
    }

    private static boolean checksumValid(ByteBuf p, int ip, int length, boolean ipv6, int ipBytes) {
        int tcpSegmentBytes = length - ipBytes;
        int pseudo = ipv6
                ? Checksums.pseudoHeaderV6(p, ip, Ip.PROTOCOL_TCP, tcpSegmentBytes)
                : Checksums.pseudoHeaderV4(p, ip, Ip.PROTOCOL_TCP, tcpSegmentBytes);
        return Checksums.sum(p, ip + ipBytes, tcpSegmentBytes, pseudo) == 0xffff;
    }

    private Flow free() {
        for (Flow f : flows) {
            if (f.held == null) {
                return f;
            }
        }
        return null;
    }

    private Flow oldest() {
        Flow oldest = null;
        for (Flow f : flows) {
            if (f.held != null && (oldest == null || f.age - oldest.age < 0)) {
                oldest = f;
            }
        }
        return oldest;
    }
}
