package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.offload.TsoSplitter;
import io.ocbridge.core.offload.VirtioNetHeader;
import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Real TUN/TAP devices, each test in a namespace of its own; skipped unless root. */
class TunDeviceTest {

    private static final int IPV4_HEADER_BYTES = 20;
    private static final int UDP_HEADER_BYTES = 8;
    private static final int PROTOCOL_UDP = 17;
    private static final long READ_DEADLINE_NANOS = 5_000_000_000L;

    @Test
    void tunCarriesUdpBothWays() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            namespace.call(() -> {
                try (TunDevice tun = TunDevice.openTun("ocbt0")) {
                    assertEquals("ocbt0", tun.name());
                    assertTrue(ip.linkExists("ocbt0"), "device must be in the test namespace");
                    ip.setMtu("ocbt0", 1420);
                    ip.addAddress("ocbt0", Cidr.parse("10.99.0.1/24"));
                    ip.setUp("ocbt0");
                    exchangeUdp(tun);
                }
                return null;
            });
        }
    }

    /**
     * With offloads every packet carries a virtio header both ways; the kernel leaves the UDP checksum to us
     * (NEEDS_CSUM), and TsoSplitter finishes it so that the packet verifies.
     */
    @Test
    void tunWithOffloadsFramesPacketsWithAVirtioHeader() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            namespace.call(() -> {
                try (TunDevice tun = TunDevice.openTunWithOffloads("ocbt2")) {
                    assertTrue(tun.vnetHeader());
                    ip.setMtu("ocbt2", 1420);
                    ip.addAddress("ocbt2", Cidr.parse("10.99.0.1/24"));
                    ip.setUp("ocbt2");
                    exchangeUdpWithHeaders(tun);
                }
                return null;
            });
        }
    }

    private static void exchangeUdpWithHeaders(TunDevice tun) throws IOException {
        byte[] hello = "hello, offloads".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("10.99.0.1", 0))) {
            socket.setSoTimeout(5000);
            DatagramPacket datagram = new DatagramPacket(hello, hello.length, new InetSocketAddress("10.99.0.2", 7777));
            socket.send(datagram);
            ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(VirtioNetHeader.SIZE + 65_535);
            try {
                ByteBuf packet = readUdpWithHeaderTo(tun, read, 0x0A63_0002, () -> socket.send(datagram));
                try {
                    int udp = packet.readerIndex() + IPV4_HEADER_BYTES;
                    assertEquals(IPV4_HEADER_BYTES + UDP_HEADER_BYTES + hello.length, packet.readableBytes());
                    int sum = pseudoHeaderSum(packet) + onesSum(packet, udp, packet.writerIndex() - udp);
                    assertEquals(0xFFFF, fold(sum), "UDP checksum completed by the splitter verifies");
                } finally {
                    packet.release();
                }
            } finally {
                read.release();
            }

            byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer reply = udpPacket(0x0A63_0002, 7777, 0x0A63_0001, socket.getLocalPort(), pong);
            ByteBuffer framed = ByteBuffer.allocateDirect(VirtioNetHeader.SIZE + reply.remaining());
            framed.position(VirtioNetHeader.SIZE).put(reply).flip();  // an all-zero header: nothing to do
            assertEquals(framed.remaining(), tun.write(framed));

            DatagramPacket received = new DatagramPacket(new byte[64], 64);
            socket.receive(received);
            assertEquals("pong", new String(received.getData(), 0, received.getLength(), StandardCharsets.US_ASCII));
        }
    }

    /** Reads until a UDP/IPv4 packet to {@code destination} arrives; returns it as the splitter emits it. */
    private static ByteBuf readUdpWithHeaderTo(TunDevice tun, ByteBuf read, int destination, Resend resend)
            throws IOException {
        TsoSplitter splitter = new TsoSplitter(PooledByteBufAllocator.DEFAULT, 16, 32);
        long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
        while (deadline - System.nanoTime() > 0) {
            if (!tun.awaitReadable(100)) {
                resend.run();
                continue;
            }
            read.clear();
            if (tun.read(read) == 0) {
                continue;
            }
            assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(read, 0));
            ByteBuf[] out = new ByteBuf[1];
            assertEquals(1, splitter.split(read, b -> out[0] = b));
            ByteBuf p = out[0];
            int at = p.readerIndex();
            if ((p.getByte(at) >> 4) == 4 && p.getByte(at + 9) == PROTOCOL_UDP && p.getInt(at + 16) == destination) {
                return p;
            }
            p.release();
        }
        throw new AssertionError("no UDP packet to the peer address came out of the TUN device");
    }

    private static int pseudoHeaderSum(ByteBuf ip) {
        int at = ip.readerIndex();
        return onesSum(ip, at + 12, 8) + PROTOCOL_UDP + (ip.readableBytes() - IPV4_HEADER_BYTES);
    }

    private static int onesSum(ByteBuf buf, int from, int length) {
        int sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += buf.getUnsignedShort(from + i);
        }
        if ((length & 1) != 0) {
            sum += (buf.getUnsignedByte(from + length - 1) << 8);
        }
        return sum;
    }

    private static int fold(int sum) {
        long s = sum & 0xFFFF_FFFFL;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    private static void exchangeUdp(TunDevice tun) throws IOException {
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("10.99.0.1", 0))) {
            socket.setSoTimeout(5000);
            DatagramPacket datagram = new DatagramPacket(hello, hello.length, new InetSocketAddress("10.99.0.2", 7777));
            socket.send(datagram);

            ByteBuffer packet = readUdpTo(tun, 0x0A63_0002, () -> socket.send(datagram));
            assertEquals(0x0A63_0001, packet.getInt(12), "source address");
            assertEquals(7777, packet.getShort(IPV4_HEADER_BYTES + 2) & 0xFFFF, "destination port");
            assertEquals(IPV4_HEADER_BYTES + UDP_HEADER_BYTES + hello.length, packet.remaining());

            byte[] pong = "pong".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer reply = udpPacket(0x0A63_0002, 7777, 0x0A63_0001, socket.getLocalPort(), pong);
            int length = reply.remaining();
            assertEquals(length, tun.write(reply));
            assertFalse(reply.hasRemaining());

            DatagramPacket received = new DatagramPacket(new byte[64], 64);
            socket.receive(received);
            assertEquals("pong", new String(received.getData(), 0, received.getLength(), StandardCharsets.US_ASCII));
            assertEquals(new InetSocketAddress(InetAddress.getByName("10.99.0.2"), 7777), received.getSocketAddress());
        }
    }

    /** Reads packets until a UDP/IPv4 one to {@code destination} arrives; returns it flipped. */
    private static ByteBuffer readUdpTo(TunDevice tun, int destination, Resend resend) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        long deadline = System.nanoTime() + READ_DEADLINE_NANOS;
        while (deadline - System.nanoTime() > 0) {
            if (!tun.awaitReadable(100)) {
                resend.run();  // a datagram sent while the link was still coming up may have been dropped
                continue;
            }
            buffer.clear();
            int length = tun.read(buffer);
            if (length == 0) {
                continue;
            }
            assertEquals(length, buffer.position());
            buffer.flip();
            if ((buffer.get(0) >> 4) == 4 && buffer.get(9) == PROTOCOL_UDP && buffer.getInt(16) == destination) {
                return buffer;
            }
        }
        throw new AssertionError("no UDP packet to the peer address came out of the TUN device");
    }

    @FunctionalInterface
    private interface Resend {
        void run() throws IOException;
    }

    /** An IPv4/UDP packet with a valid header checksum and no UDP checksum (allowed for IPv4). */
    private static ByteBuffer udpPacket(int source, int sourcePort, int destination, int destinationPort, byte[] payload) {
        int total = IPV4_HEADER_BYTES + UDP_HEADER_BYTES + payload.length;
        ByteBuffer packet = ByteBuffer.allocateDirect(total);
        packet.put((byte) 0x45).put((byte) 0).putShort((short) total)
                .putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) PROTOCOL_UDP).putShort((short) 0)
                .putInt(source).putInt(destination);
        packet.putShort(10, ipChecksum(packet, IPV4_HEADER_BYTES));
        packet.putShort((short) sourcePort).putShort((short) destinationPort)
                .putShort((short) (UDP_HEADER_BYTES + payload.length)).putShort((short) 0)
                .put(payload);
        return packet.flip();
    }

    private static short ipChecksum(ByteBuffer header, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += header.getShort(i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short) ~sum;
    }

    @Test
    void tapDeviceOpensWithItsName() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            namespace.call(() -> {
                try (TunDevice tap = TunDevice.openTap("ocbt-tap0")) {
                    assertEquals("ocbt-tap0", tap.name());
                    assertTrue(ip.linkExists("ocbt-tap0"));
                }
                assertFalse(ip.linkExists("ocbt-tap0"), "a non-persistent device goes away on close");
                return null;
            });
        }
    }

    @Test
    void kernelRefusalIsNamedClearly() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            namespace.call(() -> {
                IOException e = assertThrows(IOException.class, () -> TunDevice.openTun("lo"));
                assertEquals("TUNSETIFF lo: Invalid argument (EINVAL)", e.getMessage());
                return null;
            });
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFail() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            namespace.call(() -> {
                TunDevice tun = TunDevice.openTun("ocbt1");
                ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
                assertEquals(0, tun.read(buffer), "down device has nothing to read");
                assertThrows(IllegalArgumentException.class, () -> tun.read(ByteBuffer.allocate(64)));
                tun.close();
                tun.close();
                assertFalse(tun.isOpen());
                assertThrows(ClosedChannelException.class, () -> tun.read(buffer));
                assertThrows(ClosedChannelException.class, () -> tun.awaitReadable(1));
                return null;
            });
        }
    }

    @Test
    void namesAreCheckedBeforeTheKernelSeesThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TunDevice.openTun("ocb-much-too-long"));
        assertEquals("interface name \"ocb-much-too-long\" is 17 characters; Linux allows at most 15", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TunDevice.openTun(""));
        assertThrows(IllegalArgumentException.class, () -> TunDevice.openTap("a/b"));
    }
}
