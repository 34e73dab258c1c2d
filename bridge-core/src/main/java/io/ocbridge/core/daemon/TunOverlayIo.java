package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.transport.UdpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The real {@link OverlayIo}: a Netty UDP socket and a TUN device. Event loop only. */
final class TunOverlayIo implements OverlayIo {
    private final TunDevice device;
    private final ByteBufAllocator alloc;
    private UdpTransport udp;

    TunOverlayIo(TunDevice device, ByteBufAllocator alloc) {
        this.device = device;
        this.alloc = alloc;
    }

    /** Set once the socket is bound (the socket's receiver needs the overlay, which needs this). */
    void attach(UdpTransport transport) {
        this.udp = transport;
    }

    @Override
    public boolean send(ByteBuf datagram, InetSocketAddress recipient) {
        if (udp == null) {
            datagram.release();
            return false;
        }
        return udp.send(datagram, recipient);
    }

    @Override
    public void flush() {
        if (udp != null) {
            udp.flush();
        }
    }

    @Override
    public boolean writeToDevice(ByteBuf packet) {
        try {
            return device.write(packet.nioBuffer()) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }
}
