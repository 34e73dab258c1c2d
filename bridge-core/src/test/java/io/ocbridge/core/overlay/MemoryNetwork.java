package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.testing.TestClocks;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A virtual UDP network and clock for overlays under test: datagrams are queued, not delivered
 * recursively, and {@link #deliverAll()} pumps them; device writes are recorded per node.
 */
final class MemoryNetwork {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final Clock wallClock = TestClocks.wall(1_700_000_000L, nanos::get);
    private final Map<InetSocketAddress, Node> nodes = new HashMap<>();
    private final ArrayDeque<InFlight> queue = new ArrayDeque<>();
    /** Datagrams matching this are dropped in flight (counted in {@link #lost}). */
    Predicate<ByteBuf> lossFilter = b -> false;
    int lost;
    /** Every datagram sent, copied, for replay tests. */
    final List<Sent> capture = new ArrayList<>();

    record InFlight(ByteBuf datagram, InetSocketAddress from, InetSocketAddress to) {}
    record Sent(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {}

    void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }

    Node node(InetSocketAddress address) {
        Node node = new Node(address);
        nodes.put(address, node);
        return node;
    }

    /** Delivers queued datagrams (and those they trigger) up to a bound; returns how many. */
    int deliverAll() {
        int delivered = 0;
        while (!queue.isEmpty() && delivered < 10_000) {
            InFlight f = queue.pollFirst();
            Node target = nodes.get(f.to());
            if (target == null || target.overlay == null || lossFilter.test(f.datagram())) {
                f.datagram().release();
                lost++;
                continue;
            }
            target.overlay.outside().onDatagram(f.datagram(), f.from());
            target.overlay.processHandshakes();  // one datagram per read burst
            delivered++;
        }
        return delivered;
    }

    /** Test teardown: delivers what is in flight, then closes every node's overlay (staged packets released, keys zeroed). */
    void closeAll() {
        deliverAll();
        for (Node node : nodes.values()) {
            if (node.overlay != null) {
                node.overlay.close();
            }
        }
    }

    /** Injects raw bytes as if sent by {@code from}. */
    void inject(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        b.writeBytes(bytes);
        queue.addLast(new InFlight(b, from, to));
    }

    final class Node implements OverlayIo {
        final InetSocketAddress address;
        Overlay overlay;
        final List<byte[]> deviceWrites = new ArrayList<>();
        int datagramsSent;
        /** Fault injection: the device write throws (after looking at the packet, which it only borrows). */
        boolean deviceThrows;
        /** Fault injection: transport sends throw, having consumed the datagram as the contract says. */
        boolean transportSendThrows;

        Node(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public boolean send(ByteBuf datagram, InetSocketAddress recipient) {
            if (transportSendThrows && datagram.getByte(datagram.readerIndex()) == 4) {
                datagram.release();
                throw new IllegalStateException("injected: socket send failed");
            }
            datagramsSent++;
            byte[] copy = new byte[datagram.readableBytes()];
            datagram.getBytes(datagram.readerIndex(), copy);
            capture.add(new Sent(copy, address, recipient));
            queue.addLast(new InFlight(datagram, address, recipient));
            return true;
        }

        @Override
        public void flush() {}

        @Override
        public boolean writeToDevice(ByteBuf packet) {
            if (deviceThrows) {
                throw new IllegalStateException("injected: device write failed");
            }
            byte[] copy = new byte[packet.readableBytes()];
            packet.getBytes(packet.readerIndex(), copy);
            deviceWrites.add(copy);
            return true;
        }

        @Override
        public ByteBufAllocator alloc() {
            return PooledByteBufAllocator.DEFAULT;
        }

        /** Feeds an IP packet into the overlay as the device reader would (headroom reserved). */
        void fromDevice(byte[] ipPacket) {
            ByteBuf buf = alloc().directBuffer(PacketLayout.capacityFor(overlay.mtuBytes()));
            buf.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM);
            buf.writeBytes(ipPacket);
            overlay.inside().onDevicePacket(buf);
        }
    }
}
