package io.ocbridge.core.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.ocbridge.core.offload.TcpCoalescer;
import java.io.IOException;

/**
 * Writes packets (TUN) or frames (TAP) to a device, on the event loop. On a device with offloads
 * they wait in a {@link TcpCoalescer} until {@link #flush} (the end of a receive burst), which
 * merges each TCP flow's consecutive segments into one super-packet: one write, and one trip
 * through the kernel's stack, for up to 64 segments.
 */
public final class DeviceWriter {
    private final TunDevice device;
    private final TcpCoalescer coalescer;
    private final Runnable onDeferredFailure;

    /** {@code onDeferredFailure} counts a packet the device refused at {@link #flush}, after {@link #write} said yes. */
    public DeviceWriter(TunDevice device, ByteBufAllocator alloc, Runnable onDeferredFailure) {
        this.device = device;
        this.onDeferredFailure = onDeferredFailure;
        this.coalescer = !device.vnetHeader() ? null
                : device.isTap() ? TcpCoalescer.forFrames(alloc, this::writeOut) : new TcpCoalescer(alloc, this::writeOut);
    }

    /**
     * Writes one packet, or queues it for the next {@link #flush}. Borrows {@code packet}: the coalescer takes a
     * duplicate of its own, so the caller may still read it (a segment copies a frame for a relay after this).
     * False when the device refused it now.
     */
    public boolean write(ByteBuf packet) {
        if (coalescer == null) {
            return writeNow(packet);
        }
        coalescer.offer(packet.retainedDuplicate());
        return true;
    }

    /** Writes out what the coalescer holds. */
    public void flush() {
        if (coalescer != null) {
            coalescer.flush();
        }
    }

    /** The coalescer's output: a virtio header and its packet. Consumes {@code buf}. */
    private void writeOut(ByteBuf buf) {
        try {
            if (!writeNow(buf)) {
                onDeferredFailure.run();
            }
        } finally {
            buf.release();
        }
    }

    private boolean writeNow(ByteBuf buf) {
        try {
            return device.write(buf) > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
