package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv6Header;
import java.util.function.LongPredicate;

/**
 * ARP (RFC 826) and IPv6 Neighbor Discovery (RFC 4861) as the segment's suppression needs them:
 * learn bindings from frames that come from peers, and turn a local request into the answer, in
 * place. Every method reads bounds-checked fields and never throws on a short or odd frame (it just
 * declines).
 *
 * <p>Untagged frames only, on purpose: the {@link NeighborTable} is keyed by IP address alone, and VLANs reuse
 * address space, so a binding learned from a tagged frame would answer requests on another VLAN (or untagged),
 * which is cross-VLAN poisoning. Tagged ARP and ND are neither learned nor answered; they cross the segment like
 * any frame.
 */
public final class Neighbors {
    // ARP for IPv4 over Ethernet, offsets from the start of the ARP message.
    private static final int ARP_BYTES = 28;
    private static final int ARP_OPER = 6;
    private static final int ARP_SHA = 8;
    private static final int ARP_SPA = 14;
    private static final int ARP_THA = 18;
    private static final int ARP_TPA = 24;
    private static final int ARP_REQUEST = 1;
    private static final int ARP_REPLY = 2;
    /** htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4. */
    private static final long ARP_ETHERNET_IPV4 = 0x0001_0800_0604L;

    /** RFC 4861: ND is sent with hop limit 255 and received only with it, so no router forwarded it. */
    private static final int ND_HOP_LIMIT = 255;
    // ICMPv6 Neighbor Discovery, offsets from the start of the ICMPv6 header.
    private static final int ND_TARGET = 8;
    private static final int ND_OPTIONS = 24;
    private static final int ND_NS = 135;
    private static final int ND_NA = 136;
    private static final int ND_OPTION_TLLA = 2;
    private static final int NA_SOLICITED_OVERRIDE = 0x60;
    /** An NA with one target link-layer address option. */
    private static final int NA_BYTES = ND_OPTIONS + 8;

    private Neighbors() {}

    /**
     * Learns the sender binding of an ARP message or the target binding of a Neighbor
     * Advertisement in the frame at {@code at} (ending at {@code end}), charged to {@code owner} (the
     * peer it came from). Returns what the table did, or null if the frame carries no binding.
     */
    public static NeighborTable.Learned learn(ByteBuf frame, int at, int end, NeighborTable table, Object owner,
            long now) {
        int type = frame.getUnsignedShort(at + Ethernet.TYPE_OFFSET);
        int l3 = at + Ethernet.HEADER_BYTES;
        if (type == Ethernet.TYPE_ARP) {
            if (!isArp(frame, l3, end)) {
                return null;
            }
            int oper = frame.getUnsignedShort(l3 + ARP_OPER);
            int spa = frame.getInt(l3 + ARP_SPA);
            long sha = Ethernet.mac(frame, l3 + ARP_SHA);
            if ((oper != ARP_REQUEST && oper != ARP_REPLY) || spa == 0 || Ethernet.isGroup(sha) || sha == 0) {
                return null;
            }
            return table.learnV4(spa, sha, owner, now);
        }
        if (type != Ethernet.TYPE_IPV6 || !isNd(frame, l3, end, ND_NA)) {
            return null;
        }
        long mac = Ethernet.mac(frame, at + Ethernet.SRC_OFFSET);
        int icmp = l3 + Ipv6Header.HEADER_BYTES;
        int icmpEnd = Math.min(end, icmp + frame.getUnsignedShort(l3 + Ipv6Header.PAYLOAD_LENGTH_OFFSET));
        for (int opt = icmp + ND_OPTIONS, hops = 0; opt + 8 <= icmpEnd && hops < 8; hops++) {
            int length = frame.getUnsignedByte(opt + 1) * 8;
            if (length == 0) {
                return null;  // malformed: RFC 4861 says discard
            }
            if (frame.getUnsignedByte(opt) == ND_OPTION_TLLA) {
                mac = Ethernet.mac(frame, opt + 2);
                break;
            }
            opt += length;
        }
        if (Ethernet.isGroup(mac) || mac == 0) {
            return null;
        }
        return table.learnV6(frame.getLong(icmp + ND_TARGET), frame.getLong(icmp + ND_TARGET + 8), mac, owner, now);
    }

    /**
     * If the frame at {@code at} is an ARP request or a Neighbor Solicitation that the table can
     * answer, rewrites it in place into the reply (ARP reply, or a solicited NA with the target
     * link-layer address) and returns its length; else returns 0 and leaves the frame unchanged.
     * Gratuitous ARP, ARP probes and duplicate-address-detection solicitations are never answered.
     * {@code capacityEnd} is how far the buffer may be written (an NA can be 8 bytes longer than
     * the NS). {@code bound} answers whether a MAC is still known behind a remote peer.
     */
    public static int answer(ByteBuf frame, int at, int end, int capacityEnd, NeighborTable table, long now,
            LongPredicate bound) {
        int type = frame.getUnsignedShort(at + Ethernet.TYPE_OFFSET);
        int l3 = at + Ethernet.HEADER_BYTES;
        if (type == Ethernet.TYPE_ARP) {
            return answerArp(frame, at, l3, end, table, now, bound);
        }
        if (type == Ethernet.TYPE_IPV6) {
            return answerNs(frame, at, l3, end, capacityEnd, table, now, bound);
        }
        return 0;
    }

    private static int answerArp(ByteBuf frame, int at, int l3, int end, NeighborTable table, long now,
            LongPredicate bound) {
        if (!isArp(frame, l3, end) || frame.getUnsignedShort(l3 + ARP_OPER) != ARP_REQUEST) {
            return 0;
        }
        int spa = frame.getInt(l3 + ARP_SPA);
        int tpa = frame.getInt(l3 + ARP_TPA);
        if (spa == 0 || spa == tpa) {
            return 0;  // probe or gratuitous: must reach everyone
        }
        long mac = table.lookupV4(tpa, now);
        if (mac < 0 || !bound.test(mac)) {
            return 0;
        }
        long requester = Ethernet.mac(frame, l3 + ARP_SHA);
        putMac(frame, at + Ethernet.DST_OFFSET, requester);
        putMac(frame, at + Ethernet.SRC_OFFSET, mac);
        frame.setShort(l3 + ARP_OPER, ARP_REPLY);
        putMac(frame, l3 + ARP_SHA, mac);
        frame.setInt(l3 + ARP_SPA, tpa);
        putMac(frame, l3 + ARP_THA, requester);
        frame.setInt(l3 + ARP_TPA, spa);
        return end - at;
    }

    private static int answerNs(ByteBuf frame, int at, int l3, int end, int capacityEnd, NeighborTable table, long now,
            LongPredicate bound) {
        if (!isNd(frame, l3, end, ND_NS) || l3 + Ipv6Header.HEADER_BYTES + NA_BYTES > capacityEnd) {
            return 0;
        }
        int icmp = l3 + Ipv6Header.HEADER_BYTES;
        long srcHigh = frame.getLong(l3 + Ipv6Header.SRC_OFFSET);
        long srcLow = frame.getLong(l3 + Ipv6Header.SRC_OFFSET + 8);
        long targetHigh = frame.getLong(icmp + ND_TARGET);
        long targetLow = frame.getLong(icmp + ND_TARGET + 8);
        if ((srcHigh | srcLow) == 0 || (targetHigh >>> 56) == 0xff) {
            return 0;  // duplicate address detection, or nonsense
        }
        long mac = table.lookupV6(targetHigh, targetLow, now);
        if (mac < 0 || !bound.test(mac)) {
            return 0;
        }
        long requester = Ethernet.mac(frame, at + Ethernet.SRC_OFFSET);
        putMac(frame, at + Ethernet.DST_OFFSET, requester);
        putMac(frame, at + Ethernet.SRC_OFFSET, mac);
        frame.setInt(l3, Ipv6Header.VERSION << 28);  // traffic class and flow label 0
        frame.setShort(l3 + Ipv6Header.PAYLOAD_LENGTH_OFFSET, NA_BYTES);
        frame.setByte(l3 + Ipv6Header.HOP_LIMIT_OFFSET, ND_HOP_LIMIT);
        frame.setLong(l3 + Ipv6Header.DST_OFFSET, srcHigh);
        frame.setLong(l3 + Ipv6Header.DST_OFFSET + 8, srcLow);
        frame.setLong(l3 + Ipv6Header.SRC_OFFSET, targetHigh);
        frame.setLong(l3 + Ipv6Header.SRC_OFFSET + 8, targetLow);
        frame.setByte(icmp, ND_NA);
        frame.setByte(icmp + 1, 0);
        frame.setShort(icmp + 2, 0);
        frame.setInt(icmp + 4, NA_SOLICITED_OVERRIDE << 24);
        frame.setByte(icmp + ND_OPTIONS, ND_OPTION_TLLA);
        frame.setByte(icmp + ND_OPTIONS + 1, 1);
        putMac(frame, icmp + ND_OPTIONS + 2, mac);
        int sum = Checksums.sum(frame, l3 + Ipv6Header.SRC_OFFSET, 2 * Ipv6Header.ADDRESS_BYTES, 0);
        sum = Checksums.sum(frame, icmp, NA_BYTES, sum + NA_BYTES + Ip.PROTOCOL_ICMPV6);
        frame.setShort(icmp + 2, Checksums.finish(sum));
        return Ethernet.HEADER_BYTES + Ipv6Header.HEADER_BYTES + NA_BYTES;
    }

    private static boolean isArp(ByteBuf frame, int l3, int end) {
        return l3 + ARP_BYTES <= end
                && ((long) frame.getUnsignedShort(l3) << 32 | frame.getUnsignedInt(l3 + 2)) == ARP_ETHERNET_IPV4;
    }

    /** An ICMPv6 ND message of {@code ndType}, no extension headers, hop limit 255, code 0. */
    private static boolean isNd(ByteBuf frame, int l3, int end, int ndType) {
        int icmp = l3 + Ipv6Header.HEADER_BYTES;
        return icmp + ND_OPTIONS <= end
                && Ip.version(frame, l3) == Ipv6Header.VERSION
                && frame.getUnsignedByte(l3 + Ipv6Header.NEXT_HEADER_OFFSET) == Ip.PROTOCOL_ICMPV6
                && frame.getUnsignedByte(l3 + Ipv6Header.HOP_LIMIT_OFFSET) == ND_HOP_LIMIT
                && frame.getUnsignedShort(l3 + Ipv6Header.PAYLOAD_LENGTH_OFFSET) >= ND_OPTIONS
                && frame.getUnsignedByte(icmp) == ndType
                && frame.getUnsignedByte(icmp + 1) == 0;
    }

    private static void putMac(ByteBuf frame, int offset, long mac) {
        frame.setShort(offset, (int) (mac >>> 32));
        frame.setInt(offset + 2, (int) mac);
    }
}
