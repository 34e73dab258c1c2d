package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.Inside;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.overlay.PacketLayout;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The thread that reads the TUN device: it waits for the device to become readable, reads every
 * pending packet into a pooled direct buffer with room for in-place encryption, and hands the
 * burst to the event loop as one task (then one flush). It owns nothing else.
 */
final class DeviceReader implements Runnable {
    /** Packets handed over per event-loop task. */
    private static final int BURST = 64;
    private static final long POLL_TIMEOUT_MILLIS = 200;

    private final TunDevice device;
    private final EventLoop loop;
    private final Inside inside;
    private final OverlayIo io;
    private final ByteBufAllocator alloc;
    private final int mtuBytes;
    private final Log log;
    private volatile boolean running = true;

    DeviceReader(TunDevice device, EventLoop loop, Inside inside, OverlayIo io, ByteBufAllocator alloc,
            int mtuBytes, Log log) {
        this.device = device;
        this.loop = loop;
        this.inside = inside;
        this.io = io;
        this.alloc = alloc;
        this.mtuBytes = mtuBytes;
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
            ByteBuf buf = alloc.directBuffer(PacketLayout.capacityFor(mtuBytes));
            ByteBuffer target = buf.nioBuffer(PacketLayout.HEADROOM, mtuBytes);
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
            buf.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM + n);
            burst[count++] = buf;
        }
        if (count == 0) {
            return;
        }
        int size = count;
        loop.execute(() -> {
            for (int i = 0; i < size; i++) {
                inside.onDevicePacket(burst[i]);
            }
            io.flush();
        });
    }

    private static void releaseAll(ByteBuf[] bufs, int count) {
        for (int i = 0; i < count; i++) {
            bufs[i].release();
        }
    }
}
