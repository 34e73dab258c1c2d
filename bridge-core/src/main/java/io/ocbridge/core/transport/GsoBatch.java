package io.ocbridge.core.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.ocbridge.core.buffer.ByteBufViews;
import java.net.InetSocketAddress;

/**
 * Gathers consecutive datagrams to one recipient into a single UDP generic segmentation offload
 * send ({@code UDP_SEGMENT}): the kernel takes them as one buffer and cuts it into datagrams of
 * {@code segmentBytes}, so a burst of one TCP flow's packets costs one trip through the stack
 * instead of one per packet. The kernel's rule shapes the batch: every segment has the same size
 * but the last, which may be shorter (and then ends the batch).
 *
 * <p>From the second datagram on, the batch is one pooled buffer that each datagram is copied into
 * and released at once. A composite buffer would save that copy (about 1.4 KB, a few tens of
 * nanoseconds) but costs more than it saves: a component object per datagram, and on the send
 * Netty builds a fresh NIO view of every component for the iovec list (without Unsafe on Java 25),
 * while up to 64 datagram buffers stay out of the pool until the write completes. Event loop only.
 */
final class GsoBatch {
    /** The kernel's UDP_MAX_SEGMENTS was 64 before Linux 6.6; stay within the older limit. */
    static final int MAX_SEGMENTS = 64;
    /** Below the 65,507-byte IPv4 UDP payload limit, with room for IPv6 extension headers. */
    static final int MAX_BYTES = 65_000;

    private final ByteBufAllocator alloc;
    private ByteBuf first;  // the only datagram, sent as it is
    private ByteBuf joined;  // two or more datagrams, back to back
    private InetSocketAddress recipient;
    private int segmentBytes;
    private int totalBytes;
    private int count;
    private boolean sealed;

    GsoBatch(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Adds {@code datagram} if it may join the batch (same recipient, not larger than the segment
     * size, batch not sealed or full). Consumes it on true; leaves it to the caller on false.
     */
    boolean offer(ByteBuf datagram, InetSocketAddress to) {
        int size = datagram.readableBytes();
        if (count == 0) {
            first = datagram;
            recipient = to;
            segmentBytes = size;
            totalBytes = size;
            count = 1;
            sealed = size == 0;
            return true;
        }
        if (sealed || size > segmentBytes || size == 0 || count == MAX_SEGMENTS || totalBytes + size > MAX_BYTES
                || !to.equals(recipient)) {
            return false;
        }
        if (joined == null) {
            joined = alloc.directBuffer(MAX_BYTES, MAX_BYTES);
            moveInto(first);
            first = null;
        }
        moveInto(datagram);
        totalBytes += size;
        count++;
        sealed = size < segmentBytes;
        return true;
    }

    private void moveInto(ByteBuf datagram) {
        try {
            ByteBufViews.append(joined, datagram, datagram.readerIndex(), datagram.readableBytes());
        } finally {
            datagram.release();
        }
    }

    /** Number of datagrams in the batch. */
    int count() {
        return count;
    }

    /**
     * Empties the batch into one message for the channel: a plain datagram when it holds one, else a
     * segmented datagram. The caller owns (writes) the result. Precondition: not empty.
     */
    DatagramPacket take() {
        DatagramPacket packet = joined == null
                ? new DatagramPacket(first, recipient)
                : new SegmentedDatagramPacket(joined, segmentBytes, recipient);
        first = null;
        joined = null;
        recipient = null;
        count = 0;
        return packet;
    }

    /** Releases whatever the batch holds (channel closed). */
    void discard() {
        if (first != null) {
            first.release();
        }
        if (joined != null) {
            joined.release();
        }
        first = null;
        joined = null;
        count = 0;
    }
}
