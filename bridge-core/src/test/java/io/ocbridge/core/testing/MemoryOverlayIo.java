package io.ocbridge.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.overlay.PacketLayout;
import io.ocbridge.crypto.Protocol;
import java.net.InetSocketAddress;

/**
 * The {@link OverlayIo} of tests and benchmarks: each sent datagram goes to the {@link Outbox} the test chose (released,
 * queued, delivered later), sends and device writes are counted, and faults can be switched on. Device writes are
 * only counted: a subclass that wants their bytes overrides {@link #onDeviceWrite}. Allocates nothing per datagram, so
 * benchmarks can use it. One thread at a time, like the overlay's event loop.
 */
public class MemoryOverlayIo implements OverlayIo {
    /** Where the datagrams an overlay sends go. */
    @FunctionalInterface
    public interface Outbox {
        /** Takes one sent datagram; consumes it (queues it for delivery, or releases it). */
        void accept(ByteBuf datagram, InetSocketAddress recipient);
    }

    /** Sends go nowhere: each datagram is released at once. */
    public static final Outbox DISCARD = (datagram, recipient) -> datagram.release();

    private final ByteBufAllocator alloc;
    private final Outbox outbox;
    /** Datagrams {@link #send} accepted (not those a fault refused). */
    public int datagramsSent;
    /** Device writes accepted. */
    public long deviceWriteCount;
    /** Fault injection: device writes throw (after looking at the packet, which they only borrow). */
    public boolean deviceThrows;
    /** Fault injection: sends of transport messages throw, having consumed the datagram as the contract says. */
    public boolean transportSendThrows;

    /** Pooled buffers, as the daemon's event loops use. */
    public MemoryOverlayIo(Outbox outbox) {
        this(PooledByteBufAllocator.DEFAULT, outbox);
    }

    public MemoryOverlayIo(ByteBufAllocator alloc, Outbox outbox) {
        this.alloc = alloc;
        this.outbox = outbox;
    }

    /** Datagrams released on send, device writes counted. */
    public static MemoryOverlayIo discarding() {
        return new MemoryOverlayIo(DISCARD);
    }

    @Override
    public final boolean send(ByteBuf datagram, InetSocketAddress recipient) {
        if (transportSendThrows && datagram.getByte(datagram.readerIndex()) == Protocol.MESSAGE_TRANSPORT) {
            datagram.release();
            throw new IllegalStateException("injected: socket send failed");
        }
        datagramsSent++;
        outbox.accept(datagram, recipient);
        return true;
    }

    @Override
    public void flush() {}

    @Override
    public final boolean writeToDevice(ByteBuf packet) {
        if (packet.refCnt() <= 0) {
            throw new IllegalStateException("device write of a released packet");
        }
        if (deviceThrows) {
            throw new IllegalStateException("injected: device write failed");
        }
        deviceWriteCount++;
        onDeviceWrite(packet);
        return true;
    }

    /** Sees each accepted device write. Borrows {@code packet} (readerIndex..writerIndex): do not retain it. */
    protected void onDeviceWrite(ByteBuf packet) {}

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** The readable bytes of {@code buf}, copied; its indexes do not move. */
    public static byte[] copyOf(ByteBuf buf) {
        byte[] copy = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), copy);
        return copy;
    }

    /** Feeds {@code ipPacket} to {@code overlay}'s Inside as its device reader would: a pooled buffer with headroom. */
    public static void fromDevice(Overlay overlay, byte[] ipPacket) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(PacketLayout.capacityFor(overlay.mtuBytes()));
        buf.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM).writeBytes(ipPacket);
        overlay.inside().onDevicePacket(buf);
    }
}
