package io.ocbridge.core.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.transport.UdpTransport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@link OverlayIo}: a Netty UDP socket and a TUN device ({@link DeviceWriter}). Event
 * loop only.
 */
public final class TunOverlayIo implements OverlayIo {
    private final ByteBufAllocator alloc;
    private final DeviceWriter device;
    private UdpTransport udp;
    private Runnable onDeviceWriteFailure = () -> { };
    private final List<Runnable> flushHooks = new ArrayList<>();

    public TunOverlayIo(TunDevice device, ByteBufAllocator alloc) {
        this.alloc = alloc;
        this.device = new DeviceWriter(device, alloc, () -> onDeviceWriteFailure.run());
    }

    /** Set once the socket is bound (the socket's receiver needs the overlay, which needs this). */
    public void attach(UdpTransport transport) {
        this.udp = transport;
    }

    /** Runs at every flush, before the socket's: a segment's TAP coalescer. Set up before the overlay starts. */
    public void addFlushHook(Runnable hook) {
        flushHooks.add(hook);
    }

    /** Called for each packet the device refuses after it was accepted for a later write (counted as a drop). */
    public void onDeviceWriteFailure(Runnable callback) {
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
        device.flush();
        for (int i = 0, n = flushHooks.size(); i < n; i++) {
            flushHooks.get(i).run();
        }
        if (udp != null) {
            udp.flush();
        }
    }

    @Override
    public boolean writeToDevice(ByteBuf packet) {
        return device.write(packet);
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }
}
