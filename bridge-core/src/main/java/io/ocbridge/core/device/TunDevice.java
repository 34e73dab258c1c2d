package io.ocbridge.core.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

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
 * <p>Threads: one reader thread calls {@link #awaitReadable} and {@link #read}; one writer thread
 * calls {@link #write}; any thread may call {@link #close}, which takes effect for the reader
 * within its poll timeout. Each side owns its own preallocated errno segment, so reads and writes
 * allocate nothing. The device is created in the network namespace of the thread that opens it.
 */
public final class TunDevice implements AutoCloseable {

    /** {@code _IOW('T', 202, int)} from {@code linux/if_tun.h}. */
    private static final long TUNSETIFF = 0x4004_54caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    /** {@code struct ifreq}: a 16-byte name, then a 24-byte union whose first member is the flags. */
    private static final long IFREQ_SIZE = 40;
    private static final long IFREQ_FLAGS_OFFSET = 16;

    private final int fd;
    private final String name;
    private final MemorySegment readErrno = Libc.newErrnoSegment();
    private final MemorySegment writeErrno = Libc.newErrnoSegment();
    private final MemorySegment pollFd = Arena.ofAuto().allocate(Libc.POLLFD_SIZE, 4);
    /** Calls in flight plus one for the open device; the fd is closed when this reaches zero. */
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private TunDevice(int fd, String name) {
        this.fd = fd;
        this.name = name;
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, Libc.POLLFD_EVENTS_OFFSET, Libc.POLLIN);
    }

    /** Opens (creating if needed) the layer-3 device {@code name}. */
    public static TunDevice openTun(String name) throws IOException {
        return open(name, IFF_TUN);
    }

    /** Opens (creating if needed) the layer-2 device {@code name}. */
    public static TunDevice openTap(String name) throws IOException {
        return open(name, IFF_TAP);
    }

    private static TunDevice open(String name, short mode) throws IOException {
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
            ifreq.set(JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short) (mode | IFF_NO_PI));
            if (Libc.ioctl(errno, fd, TUNSETIFF, ifreq) < 0) {
                int error = Libc.errno(errno);
                Libc.close(fd);
                throw Libc.failure("TUNSETIFF " + name, error);
            }
            return new TunDevice(fd, ifreq.getString(0));
        }
    }

    /** The name the kernel gave the device. */
    public String name() {
        return name;
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
