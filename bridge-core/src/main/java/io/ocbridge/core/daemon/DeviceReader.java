package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.offload.SplitDrop;
import io.ocbridge.core.offload.TsoSplitter;
import io.ocbridge.core.offload.VirtioNetHeader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The thread that reads a TUN or TAP device: it waits for the device to become readable, reads
 * every pending packet into a pooled direct buffer with room in front and behind for in-place
 * encapsulation and encryption, and hands the burst to the event loop as one task (then one
 * flush). It owns nothing else.
 *
 * <p>On a device with offloads, each read lands in one reused 64 KiB buffer and may be a TCP
 * super-packet (or, on a TAP, a super-frame): this thread cuts it into wire-sized packets and
 * finishes their checksums
 * ({@link TsoSplitter}), so that work runs beside the event loop's encryption, on another core.
 */
final class DeviceReader implements Runnable {
    /** Packets handed over per event-loop task (a burst may end a little above it: a read is never split across two). */
    private static final int BURST = 64;
    private static final long POLL_TIMEOUT_MILLIS = 200;
    private static final long MALFORMED_LOG_INTERVAL_NANOS = 5_000_000_000L;
    /** A virtio header and the largest IP packet. */
    private static final int OFFLOAD_READ_BYTES = VirtioNetHeader.SIZE + 65_535;

    private final TunDevice device;
    private final EventLoop loop;
    private final Consumer<ByteBuf> sink;
    private final Runnable flush;
    private final ByteBufAllocator alloc;
    private final int headroom;
    private final int maxPacketBytes;
    private final int capacity;
    private final TsoSplitter splitter;
    private final Log log;
    private volatile boolean running = true;
    private long malformedReads;
    private long lastMalformedLogNanos;

    /**
     * {@code sink} runs on {@code loop} and consumes each packet; {@code flush} runs after each
     * burst. Buffers hold {@code headroom} bytes, up to {@code maxPacketBytes}, then {@code tailroom}.
     */
    DeviceReader(TunDevice device, EventLoop loop, Consumer<ByteBuf> sink, Runnable flush, ByteBufAllocator alloc,
            int headroom, int maxPacketBytes, int tailroom, Log log) {
        this.device = device;
        this.loop = loop;
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

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        ByteBuf offloadBuffer = splitter == null ? null : alloc.directBuffer(OFFLOAD_READ_BYTES, OFFLOAD_READ_BYTES);
        try {
            while (running) {
                if (!device.awaitReadable(POLL_TIMEOUT_MILLIS)) {
                    continue;
                }
                List<ByteBuf> burst = new ArrayList<>(BURST);
                try {
                    if (splitter == null) {
                        readBurst(burst);
                    } else {
                        readOffloadBurst(offloadBuffer, burst);
                    }
                } catch (IOException | RuntimeException e) {
                    burst.forEach(ByteBuf::release);
                    throw e;
                }
                handOver(burst);
            }
        } catch (IOException e) {
            if (running) {
                log.error("device-read-failed", "device=" + device.name() + " error=" + e.getMessage());
            }
        } finally {
            if (offloadBuffer != null) {
                offloadBuffer.release();
            }
        }
    }

    /** Plain device: one packet per read, read straight into its own buffer. */
    private void readBurst(List<ByteBuf> burst) throws IOException {
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
    private void readOffloadBurst(ByteBuf readBuffer, List<ByteBuf> burst) throws IOException {
        Consumer<ByteBuf> add = burst::add;
        while (burst.size() < BURST) {
            readBuffer.clear();
            if (device.read(readBuffer) <= 0) {
                return;
            }
            int emitted = splitter.split(readBuffer, add);
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

    private void handOver(List<ByteBuf> burst) {
        if (burst.isEmpty()) {
            return;
        }
        loop.execute(() -> {
            for (int i = 0, n = burst.size(); i < n; i++) {
                sink.accept(burst.get(i));
            }
            flush.run();
        });
    }
}
