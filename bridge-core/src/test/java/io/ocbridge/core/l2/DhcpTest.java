package io.ocbridge.core.l2;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.ip.Ipv6;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.testing.Ipv4Packets;
import org.junit.jupiter.api.Test;

/**
 * What the DHCP guard recognises, frame by frame: every way around the old exact-port-pair check (odd source ports,
 * IPv6 extension headers, 802.1Q and 802.1ad tags) and the frames it must fail closed on.
 */
class DhcpTest {
    private static final int UDP = 17;
    private static final int TCP = 6;

    /** A frame under construction: Ethernet header, optional tags, then an IP packet. */
    private static final class Frame {
        final ByteBuf buf = Unpooled.buffer(256);

        Frame(int... tagTypes) {
            buf.writeLong(0xffff_ffff_ffff_0200L).writeInt(0x0000_0001);  // broadcast from 02:00:00:00:00:01
            for (int tpid : tagTypes) {
                buf.writeShort(tpid).writeShort(42);
            }
        }

        /** IPv4 with {@code protocol}, the given flags+fragment offset field, and {@code payload} bytes. */
        Frame ipv4(int protocol, int flagsOffset, byte[] payload) {
            buf.writeShort(Ethernet.TYPE_IPV4);
            buf.writeBytes(Ipv4Packets.packet(protocol, 0x0a14_0002, -1, 7, flagsOffset, payload));
            return this;
        }

        /** IPv6 whose chain is {@code headers} (each its type; extension headers 8 bytes), then {@code payload}. */
        Frame ipv6(int[] headers, int fragmentOffsetField, byte[] payload) {
            buf.writeShort(Ethernet.TYPE_IPV6);
            buf.writeInt(0x6000_0000).writeShort(8 * (headers.length - 1) + payload.length).writeByte(headers[0])
                    .writeByte(255);
            buf.writeLong(0xfe80_0000_0000_0000L).writeLong(1).writeLong(0xff02_0000_0000_0000L).writeLong(0x1_0002);
            for (int i = 0; i + 1 < headers.length; i++) {
                if (headers[i] == Ipv6Header.FRAGMENT) {
                    buf.writeByte(headers[i + 1]).writeByte(0).writeShort(fragmentOffsetField).writeInt(99);
                } else {
                    buf.writeByte(headers[i + 1]).writeByte(0).writeShort(0x0104).writeInt(0);  // PadN
                }
            }
            buf.writeBytes(payload);
            return this;
        }

        boolean server() {
            return Dhcp.mayBeServerMessage(buf, 0, buf.writerIndex());
        }

        boolean client() {
            return Dhcp.mayBeClientMessage(buf, 0, buf.writerIndex());
        }
    }

    private static byte[] udp(int srcPort, int dstPort) {
        ByteBuf b = Unpooled.buffer(8 + 240);
        b.writeShort(srcPort).writeShort(dstPort).writeShort(8 + 240).writeShort(0).writeZero(240);
        return b.array();
    }

    private static int[] chain(int... headers) {
        return headers;
    }

    @Test
    void theExactPortPairsStillMatch() {
        assertTrue(new Frame().ipv4(UDP, 0, udp(67, 68)).server());
        assertTrue(new Frame().ipv4(UDP, 0, udp(68, 67)).client());
        assertTrue(new Frame().ipv6(chain(UDP), 0, udp(547, 546)).server());
        assertTrue(new Frame().ipv6(chain(UDP), 0, udp(546, 547)).client());
        assertFalse(new Frame().ipv4(UDP, 0, udp(67, 68)).client());
        assertFalse(new Frame().ipv4(UDP, 0, udp(68, 67)).server());
    }

    @Test
    void aServerMessageIsAnythingToTheClientPortWhateverTheSourcePort() {
        assertTrue(new Frame().ipv4(UDP, 0, udp(40000, 68)).server());
        assertTrue(new Frame().ipv4(UDP, 0, udp(68, 68)).server());
        assertTrue(new Frame().ipv6(chain(UDP), 0, udp(40000, 546)).server());
        assertTrue(new Frame().ipv4(UDP, 0, udp(40000, 67)).client());
        assertTrue(new Frame().ipv4(UDP, 0, udp(67, 67)).client(), "relay to server");
        assertTrue(new Frame().ipv6(chain(UDP), 0, udp(40000, 547)).client());
    }

    @Test
    void dhcpv6BehindExtensionHeaders() {
        int hbh = Ipv6Header.HOP_BY_HOP;
        int dst = Ipv6Header.DESTINATION_OPTIONS;
        int rt = Ipv6Header.ROUTING;
        int frag = Ipv6Header.FRAGMENT;
        assertTrue(new Frame().ipv6(chain(hbh, UDP), 0, udp(547, 546)).server());
        assertTrue(new Frame().ipv6(chain(dst, UDP), 0, udp(547, 546)).server());
        assertTrue(new Frame().ipv6(chain(hbh, rt, dst, UDP), 0, udp(547, 546)).server());
        assertTrue(new Frame().ipv6(chain(frag, UDP), 0x0001, udp(547, 546)).server(), "first fragment (M set)");
        assertTrue(new Frame().ipv6(chain(hbh, frag, dst, UDP), 0x0001, udp(546, 547)).client());
        assertFalse(new Frame().ipv6(chain(hbh, dst, UDP), 0, udp(53, 53)).server());
        assertFalse(new Frame().ipv6(chain(hbh, dst, TCP), 0, udp(547, 546)).server(), "TCP, not UDP");
    }

    @Test
    void taggedDhcpIsSeenThroughOneAndTwoTags() {
        assertTrue(new Frame(Ethernet.TYPE_VLAN).ipv4(UDP, 0, udp(67, 68)).server());
        assertTrue(new Frame(Ethernet.TYPE_QINQ).ipv4(UDP, 0, udp(67, 68)).server());
        assertTrue(new Frame(Ethernet.TYPE_QINQ, Ethernet.TYPE_VLAN).ipv4(UDP, 0, udp(1234, 68)).server());
        assertTrue(new Frame(Ethernet.TYPE_VLAN, Ethernet.TYPE_VLAN).ipv6(chain(Ipv6Header.HOP_BY_HOP, UDP), 0,
                udp(547, 546)).server());
        assertTrue(new Frame(Ethernet.TYPE_VLAN).ipv4(UDP, 0, udp(68, 67)).client());
        assertFalse(new Frame(Ethernet.TYPE_VLAN).ipv4(UDP, 0, udp(53, 53)).server());
    }

    @Test
    void failsClosedOnWhatItCannotRead() {
        assertTrue(new Frame(Ethernet.TYPE_QINQ, Ethernet.TYPE_VLAN, Ethernet.TYPE_VLAN).ipv4(UDP, 0, udp(53, 53))
                .server(), "a third tag");
        int[] long9 = new int[Ipv6.MAX_EXTENSION_HEADERS + 2];
        java.util.Arrays.fill(long9, Ipv6Header.DESTINATION_OPTIONS);
        long9[long9.length - 1] = UDP;
        assertTrue(new Frame().ipv6(long9, 0, udp(53, 53)).server(), "more extension headers than we walk");
        int[] long8 = java.util.Arrays.copyOfRange(long9, 1, long9.length);
        assertFalse(new Frame().ipv6(long8, 0, udp(53, 53)).server(), "as many as we walk");
        assertTrue(new Frame().ipv6(chain(Ipv6Header.FRAGMENT, UDP), 0x0008, new byte[64]).server(),
                "an IPv6 UDP fragment with a non-zero offset");
        assertTrue(new Frame().ipv6(chain(Ipv6Header.FRAGMENT, UDP), 0x0008, new byte[64]).client());
        assertTrue(new Frame().ipv4(UDP, 0x2000, new byte[0]).server(), "a first fragment without the UDP header");
        assertTrue(new Frame().ipv6(chain(Ipv6Header.FRAGMENT, UDP), 0x0001, new byte[0]).server());
    }

    @Test
    void whatIsNotDhcp() {
        assertFalse(new Frame().ipv4(UDP, 0x0010, udp(67, 68)).server(),
                "IPv4 fragment with an offset: no UDP header in it; its first fragment is judged");
        assertFalse(new Frame().ipv4(TCP, 0, udp(67, 68)).server());
        assertFalse(new Frame().ipv6(chain(UDP), 0, udp(67, 68)).server(), "DHCPv4 ports over IPv6");
        assertFalse(new Frame().ipv4(UDP, 0, udp(547, 546)).server(), "DHCPv6 ports over IPv4");
        assertFalse(new Frame().ipv6(chain(Ipv6Header.FRAGMENT, TCP), 0x0008, new byte[64]).server());
        Frame arp = new Frame(Ethernet.TYPE_VLAN);
        arp.buf.writeShort(Ethernet.TYPE_ARP).writeZero(28);
        assertFalse(arp.server());
    }

    @Test
    void everyTruncationIsJudgedWithoutThrowing() {
        Frame full = new Frame(Ethernet.TYPE_QINQ, Ethernet.TYPE_VLAN)
                .ipv6(chain(Ipv6Header.HOP_BY_HOP, Ipv6Header.FRAGMENT, Ipv6Header.DESTINATION_OPTIONS, UDP), 1, udp(547, 546));
        for (int end = 0; end <= full.buf.writerIndex(); end++) {
            ByteBuf cut = full.buf.copy(0, end);  // its capacity ends there: a read past the end would throw
            Dhcp.mayBeServerMessage(cut, 0, end);
            Dhcp.mayBeClientMessage(cut, 0, end);
        }
    }
}
