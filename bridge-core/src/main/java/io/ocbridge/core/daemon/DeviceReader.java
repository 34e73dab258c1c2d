package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The thread that reads a TUN or TAP device: it waits for the device to become readable, reads
 * every pending packet into a pooled direct buffer with room in front and behind for in-place
 * encapsulation and encryption, and hands the burst to the event loop as one task (then one
 * flush). It owns nothing else.
 */
final class DeviceReader implements Runnable {
    /** Packets handed over per event-loop task. */
    private static final int BURST = 64;
    private static final long POLL_TIMEOUT_MILLIS = 200;

    private final TunDevice device;
    private final EventLoop loop;
    private final Consumer<ByteBuf> sink;
    private final Runnable flush;
    private final ByteBufAllocator alloc;
    private final int headroom;
    private final int maxPacketBytes;
    private final int capacity;
    private final Log log;
    private volatile boolean running = true;

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
        this.log = log;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (!device.awaitReadable(POLL_TIMEOUT_MILLIS)) {
                    continue;
                }
                readBurst();
            }
        } catch (IOException e) {
            if (running) {
                log.error("device-read-failed", "device=" + device.name() + " error=" + e.getMessage());
            }
        }
    }

    private void readBurst() throws IOException {
        ByteBuf[] burst = new ByteBuf[BURST];
        int count = 0;
        while (count < BURST) {
            ByteBuf buf = alloc.directBuffer(capacity);
            ByteBuffer target = buf.nioBuffer(headroom, maxPacketBytes);
            int n;
            try {
                n = device.read(target);
            } catch (IOException | RuntimeException e) {
                buf.release();
                releaseAll(burst, count);
                throw e;
            }
            if (n <= 0) {
                buf.release();
                break;
            }
            buf.setIndex(headroom, headroom + n);
            burst[count++] = buf;
        }
        if (count == 0) {
            return;
        }
        int size = count;
        loop.execute(() -> {
            for (int i = 0; i < size; i++) {
                sink.accept(burst[i]);
            }
            flush.run();
        });
    }

    private static void releaseAll(ByteBuf[] bufs, int count) {
        for (int i = 0; i < count; i++) {
            bufs[i].release();
        }
    }
}
