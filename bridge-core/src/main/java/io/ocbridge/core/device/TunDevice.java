package io.ocbridge.core.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux TUN (IP packets) or TAP (Ethernet frames) device opened through {@code /dev/net/tun},
 * non-blocking, without the packet-information header ({@code IFF_NO_PI}).
 *
 * <p>With offloads ({@link #openTunWithOffloads}), every packet read or written starts with a
 * {@code struct virtio_net_hdr} ({@code IFF_VNET_HDR}) and the kernel may hand over TCP
 * super-packets of up to 64 KiB with their checksum left to us ({@code TUNSETOFFLOAD} with
 * checksum, TSO4 and TSO6): one read instead of dozens, and the same on write. The caller splits
 * and coalesces (package {@code offload}).
 *
 * <p>Threads: one reader calls {@link #awaitReadable} (or polls {@link #fileDescriptor} itself) and
 * {@link #read}; one writer calls {@link #write} (the daemon's event loop is both); any thread may
 * call {@link #close}, which takes effect for a reader within its poll timeout. Each side owns its
 * own preallocated errno segment, so reads and writes allocate nothing. The device is created in
 * the network namespace of the thread that opens it.
 */
public final class TunDevice implements AutoCloseable {

    /** {@code _IOW('T', 202, int)} from {@code linux/if_tun.h}. */
    private static final long TUNSETIFF = 0x4004_54caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    /** {@code _IOW('T', 208, unsigned int)}: its argument is the flags themselves. */
    private static final long TUNSETOFFLOAD = 0x4004_54d0L;
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int TUN_F_TSO6 = 0x04;
    /** {@code struct ifreq}: a 16-byte name, then a 24-byte union whose first member is the flags. */
    private static final long IFREQ_SIZE = 40;
    private static final long IFREQ_FLAGS_OFFSET = 16;

    private final int fd;
    private final String name;
    private final boolean vnetHeader;
    private final boolean tap;
    private final MemorySegment readErrno = Libc.newErrnoSegment();
    private final MemorySegment writeErrno = Libc.newErrnoSegment();
    private final MemorySegment pollFd = Arena.ofAuto().allocate(Libc.POLLFD_SIZE, 4);
    /** Calls in flight plus one for the open device; the fd is closed when this reaches zero. */
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private TunDevice(int fd, String name, boolean vnetHeader, boolean tap) {
        this.fd = fd;
        this.name = name;
        this.vnetHeader = vnetHeader;
        this.tap = tap;
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, Libc.POLLFD_EVENTS_OFFSET, Libc.POLLIN);
    }

    /** Opens (creating if needed) the layer-3 device {@code name}. */
    public static TunDevice openTun(String name) throws IOException {
        return open(name, IFF_TUN, false);
    }

    /**
     * Opens (creating if needed) the layer-3 device {@code name} with a virtio header on every
     * packet and TCP segmentation and checksum offload turned on.
     */
    public static TunDevice openTunWithOffloads(String name) throws IOException {
        return open(name, IFF_TUN, true);
    }

    /** Opens (creating if needed) the layer-2 device {@code name}. */
    public static TunDevice openTap(String name) throws IOException {
        return open(name, IFF_TAP, false);
    }

    /** Opens (creating if needed) the layer-2 device {@code name} with virtio headers and TCP offloads. */
    public static TunDevice openTapWithOffloads(String name) throws IOException {
        return open(name, IFF_TAP, true);
    }

    private static TunDevice open(String name, short mode, boolean offloads) throws IOException {
        InterfaceName.validate(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment();
            int fd = Libc.open(errno, arena.allocateFrom("/dev/net/tun"),
                    Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw Libc.failure("open /dev/net/tun", Libc.errno(errno));
            }
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE, 8);
            ifreq.setString(0, name);
            ifreq.set(JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short) (mode | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0)));
            if (Libc.ioctl(errno, fd, TUNSETIFF, ifreq) < 0) {
                int error = Libc.errno(errno);
                Libc.close(fd);
                throw Libc.failure("TUNSETIFF " + name, error);
            }
            if (offloads && Libc.ioctl(errno, fd, TUNSETOFFLOAD, (long) (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
                int error = Libc.errno(errno);
                Libc.close(fd);
                throw Libc.failure("TUNSETOFFLOAD " + name, error);
            }
            return new TunDevice(fd, ifreq.getString(0), offloads, mode == IFF_TAP);
        }
    }

    /** The name the kernel gave the device. */
    public String name() {
        return name;
    }

    /**
     * The device's file descriptor, for an event loop's poller to watch for readability. Never close
     * it, and stop watching it before {@link #close}.
     */
    public int fileDescriptor() {
        return fd;
    }

    /** Whether this is a layer-2 device: it carries Ethernet frames. */
    public boolean isTap() {
        return tap;
    }

    /** Whether every packet read or written starts with a {@code virtio_net_hdr}. */
    public boolean vnetHeader() {
        return vnetHeader;
    }

    /**
     * Waits up to {@code timeoutMillis} for a packet; true if one may be read. Reader thread only.
     * Also true on a device error, which the next {@link #read} reports.
     */
    public boolean awaitReadable(long timeoutMillis) throws IOException {
        acquire();
        try {
            pollFd.set(JAVA_SHORT, Libc.POLLFD_REVENTS_OFFSET, (short) 0);
            int timeout = (int) Math.clamp(timeoutMillis, 0, Integer.MAX_VALUE);
            int ready = Libc.poll(readErrno, pollFd, 1, timeout);
            if (ready < 0) {
                int errno = Libc.errno(readErrno);
                if (errno == Libc.EINTR) {
                    return false;
                }
                throw Libc.failure("poll " + name, errno);
            }
            return ready > 0;
        } finally {
            release();
        }
    }

    /**
     * Reads one packet into {@code dst} (direct) at its position and advances the position.
     * Returns the packet length, or 0 if none is waiting. Reader thread only. A packet longer than
     * {@code dst.remaining()} is truncated by the kernel, so leave room for the MTU.
     */
    public int read(ByteBuffer dst) throws IOException {
        requireDirect(dst);
        acquire();
        try {
            long length = Libc.read(readErrno, fd, MemorySegment.ofBuffer(dst));
            if (length < 0) {
                int errno = Libc.errno(readErrno);
                if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                    return 0;
                }
                throw Libc.failure("read " + name, errno);
            }
            dst.position(dst.position() + (int) length);
            return (int) length;
        } finally {
            release();
        }
    }

    /**
     * Reads one packet into {@code dst} (a direct buffer) from its writerIndex, which it advances.
     * Returns the packet length, or 0 if none is waiting. Reader thread only. Allocates nothing.
     */
    public int read(ByteBuf dst) throws IOException {
        int at = dst.writerIndex();
        int n = read(dst.internalNioBuffer(at, dst.writableBytes()));
        dst.writerIndex(at + n);
        return n;
    }

    /**
     * Writes {@code src} (a direct buffer) from readerIndex to writerIndex; indexes are not moved.
     * Returns its length, or 0 if the device queue is full. Writer thread only. Allocates nothing.
     */
    public int write(ByteBuf src) throws IOException {
        return write(src.internalNioBuffer(src.readerIndex(), src.readableBytes()));
    }

    /**
     * Writes the packet in {@code src} (direct) from position to limit and advances the position.
     * Returns its length, or 0 if the device queue is full (the caller counts the drop). Writer
     * thread only.
     */
    public int write(ByteBuffer src) throws IOException {
        requireDirect(src);
        acquire();
        try {
            long length = Libc.write(writeErrno, fd, MemorySegment.ofBuffer(src));
            if (length < 0) {
                int errno = Libc.errno(writeErrno);
                if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                    return 0;
                }
                throw Libc.failure("write " + name, errno);
            }
            src.position(src.position() + (int) length);
            return (int) length;
        } finally {
            release();
        }
    }

    /** Closes the device once no read, write or poll is in flight. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + (closed.get() ? ", closed]" : "]");
    }

    /** Pins the fd for one call so that a concurrent close cannot free (and the kernel reuse) it. */
    private void acquire() throws ClosedChannelException {
        while (true) {
            int count = references.get();
            if (count == 0 || closed.get()) {
                throw new ClosedChannelException();
            }
            if (references.compareAndSet(count, count + 1)) {
                return;
            }
        }
    }

    private void release() {
        if (references.decrementAndGet() == 0) {
            Libc.close(fd);
        }
    }

    private static void requireDirect(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("TUN I/O needs a direct buffer");
        }
        if (!buffer.hasRemaining()) {
            throw new IllegalArgumentException("buffer has nothing remaining (position == limit)");
        }
    }
}
