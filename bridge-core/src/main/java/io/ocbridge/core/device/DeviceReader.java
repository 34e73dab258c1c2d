package io.ocbridge.core.device;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.offload.SplitDrop;
import io.ocbridge.core.offload.TsoSplitter;
import io.ocbridge.core.offload.VirtioNetHeader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a TUN or TAP device on the overlay's event loop: the device's descriptor joins the loop's
 * epoll set, and when it is readable the loop reads a burst of packets into pooled direct buffers
 * with room in front and behind for in-place encapsulation and encryption, hands each to the sink,
 * then flushes once. No thread of its own: a packet goes from the device to the socket without a
 * hand-over between threads, which costs a wake-up per burst (README "Performance" has the figures).
 *
 * <p>On a device with offloads, each read lands in one reused 64 KiB buffer and may be a TCP
 * super-packet (or, on a TAP, a super-frame), cut into wire-sized packets with their checksums
 * finished ({@link TsoSplitter}).
 *
 * <p>Event loop only, from {@link #attach} to {@link #detach}.
 */
public final class DeviceReader {
    /** Packets read per readiness event (a burst may end a little above it: a read is never split across two). */
    private static final int BURST = 64;
    private static final long MALFORMED_LOG_INTERVAL_NANOS = 5_000_000_000L;
    /** A virtio header and the largest IP packet. */
    private static final int OFFLOAD_READ_BYTES = VirtioNetHeader.SIZE + 65_535;

    private final TunDevice device;
    private final Consumer<ByteBuf> sink;
    private final Runnable flush;
    private final ByteBufAllocator alloc;
    private final int headroom;
    private final int maxPacketBytes;
    private final int capacity;
    private final TsoSplitter splitter;
    private final Log log;
    private final List<ByteBuf> burst = new ArrayList<>(BURST);
    private final Consumer<ByteBuf> addToBurst = burst::add;
    private IoRegistration registration;
    private ByteBuf offloadBuffer;
    private long malformedReads;
    private long lastMalformedLogNanos;

    /**
     * {@code sink} consumes each packet; {@code flush} runs after each burst. Buffers hold
     * {@code headroom} bytes, up to {@code maxPacketBytes}, then {@code tailroom}.
     */
    public DeviceReader(TunDevice device, Consumer<ByteBuf> sink, Runnable flush, ByteBufAllocator alloc,
            int headroom, int maxPacketBytes, int tailroom, Log log) {
        this.device = device;
        this.sink = sink;
        this.flush = flush;
        this.alloc = alloc;
        this.headroom = headroom;
        this.maxPacketBytes = maxPacketBytes;
        this.capacity = headroom + maxPacketBytes + tailroom;
        this.splitter = !device.vnetHeader() ? null
                : device.isTap() ? TsoSplitter.forFrames(alloc, headroom, tailroom) : new TsoSplitter(alloc, headroom, tailroom);
        this.log = log;
    }

    /**
     * Starts reading on {@code loop}. At most a burst per readiness event (level-triggered: the rest
     * waits for the next turn of the loop, after the socket's reads, so neither direction starves).
     */
    public void attach(EventLoop loop) {
        FileDescriptor fd = new FileDescriptor(device.fileDescriptor());
        ((IoEventLoop) loop).register(new EpollIoHandle() {
            @Override
            public FileDescriptor fd() {
                return fd;
            }

            @Override
            public void handle(IoRegistration reg, IoEvent event) {
                onReadable();
            }

            @Override
            public void close() {
                // The device owns the descriptor.
            }
        }).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                if (splitter != null) {
                    offloadBuffer = alloc.directBuffer(OFFLOAD_READ_BYTES, OFFLOAD_READ_BYTES);
                }
                registration.submit(EpollIoOps.EPOLLIN);
            } else {
                log.error("device-read-failed", "device=" + device.name() + " error=" + f.cause());
            }
        });
    }

    /** Stops reading; call before the device is closed. From any thread. */
    public void detach(EventLoop loop) {
        if (loop.inEventLoop()) {
            cancel();
        } else if (!loop.isShuttingDown()) {
            loop.submit(this::cancel).awaitUninterruptibly(1_000);
        }
    }

    private void cancel() {
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        if (offloadBuffer != null) {
            offloadBuffer.release();
            offloadBuffer = null;
        }
    }

    private void onReadable() {
        try {
            if (splitter == null) {
                readBurst();
            } else {
                readOffloadBurst();
            }
        } catch (IOException | RuntimeException e) {
            burst.forEach(ByteBuf::release);
            burst.clear();
            cancel();
            log.error("device-read-failed", "device=" + device.name() + " error=" + e.getMessage());
            return;
        }
        for (int i = 0, n = burst.size(); i < n; i++) {
            sink.accept(burst.get(i));
        }
        burst.clear();
        flush.run();
    }

    /** Plain device: one packet per read, read straight into its own buffer. */
    private void readBurst() throws IOException {
        while (burst.size() < BURST) {
            ByteBuf buf = alloc.directBuffer(capacity);
            buf.setIndex(headroom, headroom);
            int n;
            try {
                n = device.read(buf.internalNioBuffer(headroom, maxPacketBytes));
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
            if (n <= 0) {
                buf.release();
                return;
            }
            buf.writerIndex(headroom + n);
            burst.add(buf);
        }
    }

    /** Device with offloads: each read is a virtio header and a packet or super-packet, split into packets. */
    private void readOffloadBurst() throws IOException {
        while (burst.size() < BURST) {
            offloadBuffer.clear();
            if (device.read(offloadBuffer) <= 0) {
                return;
            }
            int emitted = splitter.split(offloadBuffer, addToBurst);
            if (emitted < 0) {
                malformed(SplitDrop.of(emitted));
            }
        }
    }

    /** The kernel should never hand us a read we cannot split; if it does, say so now and then. */
    private void malformed(SplitDrop reason) {
        malformedReads++;
        long now = System.nanoTime();
        if (lastMalformedLogNanos == 0 || now - lastMalformedLogNanos >= MALFORMED_LOG_INTERVAL_NANOS) {
            lastMalformedLogNanos = now;
            log.warn("device-read-dropped", "device=" + device.name() + " reason="
                    + reason.name().toLowerCase().replace('_', '-') + " total=" + malformedReads);
        }
    }
}
