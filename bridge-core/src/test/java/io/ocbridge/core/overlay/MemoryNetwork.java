package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.testing.ManualClock;
import io.ocbridge.core.testing.MemoryOverlayIo;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A virtual UDP network and clock for overlays under test: datagrams are queued, not delivered
 * recursively, and {@link #deliverAll()} pumps them; device writes are recorded per node.
 */
final class MemoryNetwork {
    /** The network's clock (read it as {@code nanos::get}); {@link #wallClock} moves with it. */
    final ManualClock nanos = new ManualClock(1_000_000_000L);
    final Clock wallClock = nanos.wall();
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
        nanos.advanceMillis(millis);
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

    /** One site on the network: its overlay's I/O, with every device write copied for assertions. */
    final class Node extends MemoryOverlayIo {
        final InetSocketAddress address;
        Overlay overlay;
        final List<byte[]> deviceWrites = new ArrayList<>();

        Node(InetSocketAddress address) {
            super((datagram, recipient) -> {
                capture.add(new Sent(copyOf(datagram), address, recipient));
                queue.addLast(new InFlight(datagram, address, recipient));
            });
            this.address = address;
        }

        @Override
        protected void onDeviceWrite(ByteBuf packet) {
            deviceWrites.add(copyOf(packet));
        }

        /** Feeds an IP packet into the overlay as the device reader would (headroom reserved). */
        void fromDevice(byte[] ipPacket) {
            fromDevice(overlay, ipPacket);
        }
    }
}
