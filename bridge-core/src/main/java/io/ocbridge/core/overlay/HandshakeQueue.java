package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Handshake messages waiting for their turn, apart from data: bounded in total and per source, and served round-robin
 * across sources, so a flood fills only its own sources' share and a legitimate initiator from another address is
 * served within one round however fast the flood comes. When the queue is full, a message from a source holding at
 * least two fewer messages than the fattest one takes the place of that source's newest (as fq_codel drops from its
 * fattest flow), so a flood from more sources than the queue has room for still cannot lock a newcomer out. A source
 * is an IPv4 address or an IPv6 /64, as the rate limiter keys it. Messages are copied in (at most 148 bytes each), so
 * the socket's receive buffer is never held. One owner thread, the overlay's event loop; no operation's cost grows with
 * the number of sources.
 */
final class HandshakeQueue {
    /** Implementation choice: wireguard-go's handshake queue holds as many. */
    static final int CAPACITY = 1024;
    /** Implementation choice: one source may hold this many; 64 sources fill the queue. */
    static final int PER_SOURCE = 16;

    /** One message as received, with where it came from. */
    record Message(ByteBuffer bytes, InetSocketAddress source) {
        int type() {
            return bytes.getInt(0);
        }
    }

    /** What became of an offered message. */
    enum Offer {
        QUEUED,
        /** Queued in the place of the newest message of the source holding the most. */
        QUEUED_INSTEAD_OF_ANOTHER,
        /** Its source's share is full, or the queue is and its source holds nearly as many as any. */
        REFUSED
    }

    private record SourceKey(boolean ipv6, long bits) {
        static SourceKey of(InetAddress address) {
            byte[] raw = address.getAddress();
            ByteBuffer bits = ByteBuffer.wrap(raw);
            return raw.length == 16 ? new SourceKey(true, bits.getLong(0))
                    : new SourceKey(false, bits.getInt(0) & 0xffff_ffffL);
        }
    }

    private static final class Flow {
        final SourceKey key;
        final ArrayDeque<Message> messages = new ArrayDeque<>(4);
        /** Neighbours in the list of flows holding as many messages as this one ({@link #bySize}). */
        Flow previous;
        Flow next;

        Flow(SourceKey key) {
            this.key = key;
        }

        int size() {
            return messages.size();
        }
    }

    private final Map<SourceKey, Flow> flows = new HashMap<>();
    /** Flows with messages, in service order. */
    private final ArrayDeque<Flow> ready = new ArrayDeque<>();
    /** Flows by the number of messages they hold: a list of them per count, linked through the flows themselves. */
    private final Flow[] bySize = new Flow[PER_SOURCE + 1];
    private int largestSize;
    private int size;

    /** Copies the readable bytes of {@code datagram} (borrowed) into the queue, unless refused. */
    Offer offer(ByteBuf datagram, InetSocketAddress source) {
        SourceKey key = SourceKey.of(source.getAddress());
        Flow flow = flows.get(key);
        int held = flow == null ? 0 : flow.size();
        if (held >= PER_SOURCE) {
            return Offer.REFUSED;
        }
        Offer outcome = Offer.QUEUED;
        if (size >= CAPACITY) {
            if (held >= largestSize - 1) {
                return Offer.REFUSED;  // no source holds two more than this one: taking a place would not be fairer
            }
            evictNewestOf(bySize[largestSize]);
            outcome = Offer.QUEUED_INSTEAD_OF_ANOTHER;
        }
        if (flow == null) {
            flow = new Flow(key);
            flows.put(key, flow);
            ready.addLast(flow);
        } else {
            unlink(flow);
        }
        byte[] copy = new byte[datagram.readableBytes()];
        datagram.getBytes(datagram.readerIndex(), copy);
        flow.messages.addLast(new Message(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN), source));
        link(flow);
        size++;
        return outcome;
    }

    /** The next message in round-robin order across sources, or null when empty. */
    Message poll() {
        Flow flow = ready.pollFirst();
        if (flow == null) {
            return null;
        }
        unlink(flow);
        Message message = flow.messages.pollFirst();
        size--;
        if (flow.messages.isEmpty()) {
            flows.remove(flow.key);
        } else {
            link(flow);
            ready.addLast(flow);
        }
        return message;
    }

    /** Drops the newest message of {@code flow}, which holds at least two, so it keeps its place in the round. */
    private void evictNewestOf(Flow flow) {
        unlink(flow);
        flow.messages.pollLast();
        link(flow);
        size--;
    }

    /** Adds {@code flow} to the list for its current size. */
    private void link(Flow flow) {
        int count = flow.size();
        Flow head = bySize[count];
        flow.previous = null;
        flow.next = head;
        if (head != null) {
            head.previous = flow;
        }
        bySize[count] = flow;
        largestSize = Math.max(largestSize, count);
    }

    /** Takes {@code flow} out of the list for its current size; call before its size changes. */
    private void unlink(Flow flow) {
        int count = flow.size();
        if (flow.previous != null) {
            flow.previous.next = flow.next;
        } else {
            bySize[count] = flow.next;
        }
        if (flow.next != null) {
            flow.next.previous = flow.previous;
        }
        flow.previous = null;
        flow.next = null;
        while (largestSize > 0 && bySize[largestSize] == null) {
            largestSize--;
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        flows.clear();
        ready.clear();
        Arrays.fill(bySize, null);
        largestSize = 0;
        size = 0;
    }
}
