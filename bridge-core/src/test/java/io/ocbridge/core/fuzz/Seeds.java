package io.ocbridge.core.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.ip.Ipv4Fragmenter;
import io.ocbridge.core.testing.Frames;
import io.ocbridge.core.testing.Ipv4Packets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Well-formed packets the fuzz targets start from: Ethernet, ARP, ND, DHCP, TCP SYN, IPv4 fragments. */
final class Seeds {
    static final long MAC_LOCAL = 0x02_00_00_00_00_0aL;
    static final long MAC_REMOTE = 0x02_00_00_00_00_0bL;
    static final long BROADCAST = 0xffff_ffff_ffffL;
    static final int IP_LOCAL = 0xc0a8_0a0a;   // 192.168.10.10
    static final int IP_REMOTE = 0xc0a8_0a0b;  // 192.168.10.11

    private Seeds() {}

    /** An ARP message padded to the minimum frame size, as it arrives from a NIC. */
    private static byte[] arp(int oper, long sha, int spa, long tha, int tpa, long dst) {
        return Frames.padded(Frames.arp(oper, dst, sha, spa, tha, tpa));
    }

    /** Neighbor Solicitation (type 135) or Advertisement (136) for fe80::target, with a link-layer option. */
    static byte[] nd(int type, long srcMac, long dstMac, byte target, long optionMac) {
        ByteBuffer b = Frames.ethernet(dstMac, srcMac, 0x86dd, 40 + 32);
        b.putInt(0x6000_0000).putShort((short) 32).put((byte) 58).put((byte) 255);
        b.putLong(0xfe80_0000_0000_0000L).putLong(0x0000_00ff_fe00_0000L | (srcMac & 0xff));  // src
        b.putLong(0xff02_0000_0000_0000L).putLong(0x0000_0001_ff00_0000L | (target & 0xff));  // solicited-node
        int icmp = b.position();
        b.put((byte) type).put((byte) 0).putShort((short) 0).putInt(type == 136 ? 0x6000_0000 : 0);
        b.putLong(0xfe80_0000_0000_0000L).putLong(0x0000_00ff_fe00_0000L | (target & 0xff));
        b.put((byte) (type == 136 ? 2 : 1)).put((byte) 1).putShort((short) (optionMac >>> 32)).putInt((int) optionMac);
        byte[] frame = b.array();
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        int sum = Checksums.sum(buf, 14 + 8, 32, 32 + 58);
        short csum = Checksums.finish(Checksums.sum(buf, icmp, 32, sum));
        frame[icmp + 2] = (byte) (csum >>> 8);
        frame[icmp + 3] = (byte) csum;
        return frame;
    }

    /** A DHCP client (68 -> 67) or server (67 -> 68) message in IPv4/UDP. */
    static byte[] dhcp(boolean client, long srcMac) {
        ByteBuffer b = Frames.ethernet(BROADCAST, srcMac, 0x0800, 20 + 8 + 240 + 8);
        Ipv4Packets.header(b, 20 + 8 + 248, Ipv4Packets.UDP, client ? 0 : IP_REMOTE, 0xffff_ffff, 0, 0);
        b.putShort((short) (client ? 68 : 67)).putShort((short) (client ? 67 : 68)).putShort((short) (8 + 248)).putShort((short) 0);
        b.put((byte) (client ? 1 : 2)).put((byte) 1).put((byte) 6).put((byte) 0).putInt(0x1234_5678);
        b.position(b.position() + 232 - 8);
        b.putInt(0x6382_5363).put((byte) 53).put((byte) 1).put((byte) (client ? 1 : 2)).put((byte) 255);
        return b.array();
    }

    /** TCP SYN with an MSS option in Ethernet [+ VLAN] + IPv4 or IPv6. */
    static byte[] tcpSyn(boolean ipv6, boolean vlan, int mss) {
        byte[] options = {2, 4, (byte) (mss >>> 8), (byte) mss, 1, 1, 4, 2};
        int tcpBytes = 20 + options.length;
        int l3 = ipv6 ? 40 : 20;
        ByteBuffer b = ByteBuffer.allocate(14 + (vlan ? 4 : 0) + l3 + tcpBytes);
        b.putShort((short) (MAC_REMOTE >>> 32)).putInt((int) MAC_REMOTE).putShort((short) (MAC_LOCAL >>> 32)).putInt((int) MAC_LOCAL);
        if (vlan) {
            b.putShort((short) 0x8100).putShort((short) 42);
        }
        b.putShort((short) (ipv6 ? 0x86dd : 0x0800));
        int ip = b.position();
        if (ipv6) {
            b.putInt(0x6000_0000).putShort((short) tcpBytes).put((byte) 6).put((byte) 64);
            b.putLong(0xfd00_0000_0000_0000L).putLong(1).putLong(0xfd00_0000_0000_0000L).putLong(2);
        } else {
            Ipv4Packets.header(b, 20 + tcpBytes, 6, IP_LOCAL, IP_REMOTE, 7, 0x4000);
        }
        int tcp = b.position();
        b.putShort((short) 40000).putShort((short) 443).putInt(1000).putInt(0);
        b.put((byte) ((tcpBytes / 4) << 4)).put((byte) 0x02).putShort((short) 64240).putShort((short) 0).putShort((short) 0);
        b.put(options);
        byte[] frame = b.array();
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        int pseudo;
        if (ipv6) {
            pseudo = Checksums.sum(buf, ip + 8, 32, tcpBytes + 6);
        } else {
            pseudo = Checksums.sum(buf, ip + 12, 8, tcpBytes + 6);
        }
        short csum = Checksums.finish(Checksums.sum(buf, tcp, tcpBytes, pseudo));
        frame[tcp + 16] = (byte) (csum >>> 8);
        frame[tcp + 17] = (byte) csum;
        return frame;
    }

    /** The fragments of an IPv4/UDP packet at {@code mtu}, in order. */
    static List<byte[]> fragments(int payload, int mtu, int id) {
        ByteBuf packet = Unpooled.wrappedBuffer(Ipv4Packets.udp(IP_LOCAL, IP_REMOTE, payload, id));
        List<byte[]> out = new ArrayList<>();
        Ipv4Fragmenter.fragment(packet, mtu, UnpooledByteBufAllocator.DEFAULT, 0, 0, f -> {
            byte[] bytes = new byte[f.readableBytes()];
            f.getBytes(f.readerIndex(), bytes);
            f.release();
            out.add(bytes);
        });
        return out;
    }

    /** Records for the reassembler target: [clock step][length: 2 bytes][packet]... */
    static byte[] records(List<byte[]> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            out.write(0);
            out.write(p.length >>> 8);
            out.write(p.length);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Every Ethernet frame seed the L2 targets share. */
    static List<byte[]> frames() {
        List<byte[]> frames = new ArrayList<>();
        frames.add(arp(1, MAC_LOCAL, IP_LOCAL, 0, IP_REMOTE, BROADCAST));         // request
        frames.add(arp(2, MAC_REMOTE, IP_REMOTE, MAC_LOCAL, IP_LOCAL, MAC_LOCAL)); // reply
        frames.add(arp(1, MAC_LOCAL, IP_LOCAL, 0, IP_LOCAL, BROADCAST));          // gratuitous
        frames.add(arp(1, MAC_LOCAL, 0, 0, IP_REMOTE, BROADCAST));                // probe
        frames.add(nd(135, MAC_LOCAL, 0x3333_ff00_000bL, (byte) 0x0b, MAC_LOCAL));
        frames.add(nd(136, MAC_REMOTE, MAC_LOCAL, (byte) 0x0b, MAC_REMOTE));
        frames.add(dhcp(true, MAC_LOCAL));
        frames.add(dhcp(false, MAC_REMOTE));
        frames.add(tcpSyn(false, false, 1460));
        frames.add(tcpSyn(false, true, 8960));
        frames.add(tcpSyn(true, false, 1440));
        frames.add(tcpSyn(true, true, 65535));
        frames.add(Frames.ethernet(MAC_REMOTE, MAC_LOCAL, 0x88b5, 46).array());
        frames.add(Frames.ethernet(BROADCAST, MAC_LOCAL, 0x0800, 28 + 32).put(Ipv4Packets.udp(IP_LOCAL, 0xffff_ffff, 32, 9)).array());
        frames.add(Frames.tagged(dhcp(false, MAC_REMOTE), 42, 0x88a8, 0x8100));    // DHCP offer behind two tags
        frames.add(dhcpv6BehindExtensionHeaders(MAC_REMOTE));
        return frames;
    }

    /** A DHCPv6 reply (547 -> 546) behind hop-by-hop, fragment (first, M set) and destination-options headers. */
    static byte[] dhcpv6BehindExtensionHeaders(long srcMac) {
        ByteBuffer b = Frames.ethernet(0x3333_0001_0002L, srcMac, 0x86dd, 40 + 24 + 8 + 32);
        b.putInt(0x6000_0000).putShort((short) (24 + 8 + 32)).put((byte) 0).put((byte) 1);
        b.putLong(0xfe80_0000_0000_0000L).putLong(srcMac).putLong(0xff02_0000_0000_0000L).putLong(0x1_0002L);
        b.put((byte) 44).put((byte) 0).putShort((short) 0x0104).putInt(0);       // hop-by-hop, PadN
        b.put((byte) 60).put((byte) 0).putShort((short) 1).putInt(0x0cb);        // fragment: offset 0, M set
        b.put((byte) 17).put((byte) 0).putShort((short) 0x0104).putInt(0);       // destination options, PadN
        b.putShort((short) 547).putShort((short) 546).putShort((short) 40).putShort((short) 0);
        return b.array();
    }
}
