package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.offload.TcpCoalescer;
import io.ocbridge.core.offload.VirtioNetHeader;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.transport.UdpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@link OverlayIo}: a Netty UDP socket and a TUN device. Event loop only.
 *
 * <p>On a device with offloads, packets for the device wait in a {@link TcpCoalescer} until the
 * end of the receive burst, which merges each TCP flow's consecutive segments into one
 * super-packet: one write, and one trip through the kernel's stack, for up to 64 segments.
 */
final class TunOverlayIo implements OverlayIo {
    private final TunDevice device;
    private final ByteBufAllocator alloc;
    private final TcpCoalescer coalescer;
    private UdpTransport udp;
    private Runnable onDeviceWriteFailure = () -> { };
    private final List<Runnable> flushHooks = new ArrayList<>();

    TunOverlayIo(TunDevice device, ByteBufAllocator alloc) {
        this.device = device;
        this.alloc = alloc;
        this.coalescer = device.vnetHeader() ? new TcpCoalescer(alloc, this::writeWithHeader) : null;
    }

    /** Set once the socket is bound (the socket's receiver needs the overlay, which needs this). */
    void attach(UdpTransport transport) {
        this.udp = transport;
    }

    /** Runs at every flush, before the socket's: a segment's TAP coalescer. Set up before the overlay starts. */
    void addFlushHook(Runnable hook) {
        flushHooks.add(hook);
    }

    /** Called for each packet the device refuses after it was accepted for a later write (counted as a drop). */
    void onDeviceWriteFailure(Runnable callback) {
        this.onDeviceWriteFailure = callback;
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
        if (coalescer != null) {
            coalescer.flush();
        }
        for (int i = 0, n = flushHooks.size(); i < n; i++) {
            flushHooks.get(i).run();
        }
        if (udp != null) {
            udp.flush();
        }
    }

    @Override
    public boolean writeToDevice(ByteBuf packet) {
        if (coalescer == null) {
            return write(packet);
        }
        if (packet.readerIndex() >= VirtioNetHeader.SIZE) {
            coalescer.offer(packet.retain());
        } else {
            // No room in front for the virtio header (a reassembled packet, say): copy once.
            ByteBuf copy = alloc.directBuffer(VirtioNetHeader.SIZE + packet.readableBytes());
            copy.setIndex(VirtioNetHeader.SIZE, VirtioNetHeader.SIZE);
            copy.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
            coalescer.offer(copy);
        }
        return true;
    }

    /** The coalescer's output: a virtio header and its packet. Consumes {@code buf}. */
    private void writeWithHeader(ByteBuf buf) {
        try {
            if (!write(buf)) {
                onDeviceWriteFailure.run();
            }
        } finally {
            buf.release();
        }
    }

    private boolean write(ByteBuf buf) {
        try {
            return device.write(buf) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }
}
