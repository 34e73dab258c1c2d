package io.ocbridge.core.l2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.packet.Ethernet;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * Tells a peer which MACs live on our side, one RARP frame per MAC (what hypervisors send after a VM moves, and what
 * switches learn from): broadcast, sourced from the MAC it announces. The peer floods it into its LAN, so the LAN's
 * switches point that MAC at the peer's gateway at once, instead of at the gateway that was there before (a failed HA
 * member, or a restarted gateway) until their entries age out, 300 s by default.
 *
 * <p>Bounded and paced: announcements wait in one queue of at most {@code capacity} and leave at most
 * {@link #PER_TICK} per tick (500/s with the 20 ms tick), under the default flood limit of the peer's segment.
 * Event loop only.
 *
 * @param <P> where an announcement goes (a segment port)
 */
final class MacAnnouncer<P> {
    static final int PER_TICK = 10;
    /** RARP (RFC 903) as QEMU and VMware send it: Ethernet, then the ARP header with opcode 3, all addresses ours. */
    private static final int RARP_REQUEST_REVERSE = 3;
    /** The RARP payload is 28 bytes; padded to Ethernet's 60-byte minimum (without FCS). */
    static final int FRAME_BYTES = 60;

    private record Pending<P>(P port, long mac) {}

    private final ArrayDeque<Pending<P>> queue = new ArrayDeque<>();
    private final int capacity;

    MacAnnouncer(int capacity) {
        this.capacity = capacity;
    }

    /** Queues one announcement of {@code mac} towards {@code port}; false when the queue is full (dropped). */
    boolean offer(P port, long mac) {
        if (queue.size() >= capacity) {
            return false;
        }
        queue.addLast(new Pending<>(port, mac));
        return true;
    }

    /**
     * Builds up to {@link #PER_TICK} queued frames with {@code headroom} and {@code tailroom} around them and hands each
     * to {@code send} (which consumes it) with its port. Returns how many went.
     */
    int drain(ByteBufAllocator alloc, int headroom, int tailroom, BiConsumer<P, ByteBuf> send) {
        int sent = 0;
        while (sent < PER_TICK && !queue.isEmpty()) {
            Pending<P> next = queue.pollFirst();
            ByteBuf frame = alloc.directBuffer(headroom + FRAME_BYTES + tailroom);
            frame.setIndex(headroom, headroom);
            write(frame, next.mac());
            send.accept(next.port(), frame);
            sent++;
        }
        return sent;
    }

    /** Forgets every announcement for {@code port} (its peer left the segment). */
    void forget(P port) {
        queue.removeIf(p -> p.port() == port);
    }

    int queued() {
        return queue.size();
    }

    /** One RARP "request reverse" for {@code mac}, at the buffer's writer index. */
    static void write(ByteBuf frame, long mac) {
        int start = frame.writerIndex();
        frame.writeShort(0xffff).writeInt(0xffffffff);          // destination: broadcast
        writeMac(frame, mac);                                   // source: the announced MAC
        frame.writeShort(Ethernet.TYPE_RARP);
        frame.writeShort(1).writeShort(Ethernet.TYPE_IPV4);     // hardware Ethernet, protocol IPv4
        frame.writeByte(6).writeByte(4).writeShort(RARP_REQUEST_REVERSE);
        writeMac(frame, mac);                                   // sender hardware address
        frame.writeInt(0);                                      // sender protocol address: unknown
        writeMac(frame, mac);                                   // target hardware address
        frame.writeInt(0);                                      // target protocol address: unknown
        frame.writeZero(FRAME_BYTES - (frame.writerIndex() - start));
    }

    private static void writeMac(ByteBuf frame, long mac) {
        frame.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }
}
