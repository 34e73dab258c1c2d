package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Handshake messages waiting for their turn, apart from data: bounded in total and per source, and served round-robin
 * across sources, so a flood from a few addresses fills only their own share and a legitimate initiator from another
 * address is served within one round however fast the flood comes. A source is an IPv4 address or an IPv6 /64, as the
 * rate limiter keys it. Messages are copied in (at most 148 bytes each), so the socket's receive buffer is never held.
 * One owner thread, the overlay's event loop.
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

        Flow(SourceKey key) {
            this.key = key;
        }
    }

    private final Map<SourceKey, Flow> flows = new HashMap<>();
    /** Flows with messages, in service order. */
    private final ArrayDeque<Flow> ready = new ArrayDeque<>();
    private int size;

    /**
     * Copies the readable bytes of {@code datagram} (borrowed) into the queue; false when the queue or the source's
     * share is full, and then nothing was copied.
     */
    boolean offer(ByteBuf datagram, InetSocketAddress source) {
        if (size >= CAPACITY) {
            return false;
        }
        SourceKey key = SourceKey.of(source.getAddress());
        Flow flow = flows.get(key);
        if (flow != null && flow.messages.size() >= PER_SOURCE) {
            return false;
        }
        if (flow == null) {
            flow = new Flow(key);
            flows.put(key, flow);
            ready.addLast(flow);
        }
        byte[] copy = new byte[datagram.readableBytes()];
        datagram.getBytes(datagram.readerIndex(), copy);
        flow.messages.addLast(new Message(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN), source));
        size++;
        return true;
    }

    /** The next message in round-robin order across sources, or null when empty. */
    Message poll() {
        Flow flow = ready.pollFirst();
        if (flow == null) {
            return null;
        }
        Message message = flow.messages.pollFirst();
        size--;
        if (flow.messages.isEmpty()) {
            flows.remove(flow.key);
        } else {
            ready.addLast(flow);
        }
        return message;
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
        size = 0;
    }
}
