package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/**
 * What an {@link Overlay} needs from the outside world: a UDP socket and a TUN device. The daemon
 * plugs in Netty and FFM; tests plug in memory. Called only on the overlay's event loop.
 */
public interface OverlayIo {
    /** Queues one datagram. Consumes {@code datagram} (released even when refused). Returns false when refused. */
    boolean send(ByteBuf datagram, InetSocketAddress recipient);

    /** Pushes the datagrams queued since the last flush to the socket. */
    void flush();

    /** Writes one IP packet (readerIndex..writerIndex) to the device. Borrows {@code packet}: the caller releases it. */
    boolean writeToDevice(ByteBuf packet);

    /** Allocator for handshake messages and keepalives. */
    ByteBufAllocator alloc();
}
