package io.ocbridge.core.device;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Tells when addresses or links of this network namespace change: an rtnetlink socket subscribed to the link and
 * IPv4/IPv6 address groups, read on the caller's thread. It says only that something changed; the caller looks at the
 * interfaces itself, so nothing depends on decoding the messages. In-process, so nothing outlives the daemon. One
 * thread opens, reads and closes it (its native memory is confined to that thread).
 */
public final class AddressEvents implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final int RTMGRP_LINK = 0x1;
    private static final int RTMGRP_IPV4_IFADDR = 0x10;
    private static final int RTMGRP_IPV6_IFADDR = 0x100;
    /** struct sockaddr_nl: family (u16), pad (u16), pid (u32), groups (u32). */
    private static final int SOCKADDR_NL_BYTES = 12;
    private static final int BUFFER_BYTES = 64 << 10;
    /** Reads per wake-up: bounded, so a storm of changes cannot hold the caller. */
    private static final int MAX_READS = 64;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = Libc.newErrnoSegment();
    private final MemorySegment pollFd = arena.allocate(Libc.POLLFD_SIZE);
    private final MemorySegment buffer = arena.allocate(BUFFER_BYTES);
    private final int fd;

    private AddressEvents(int fd) {
        this.fd = fd;
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, Libc.POLLFD_EVENTS_OFFSET, Libc.POLLIN);
    }

    /** Subscribes; an IOException (one line) when the kernel refuses, e.g. under a seccomp filter without netlink. */
    public static AddressEvents open() throws IOException {
        MemorySegment errno = Libc.newErrnoSegment();
        int fd = Libc.socket(errno, AF_NETLINK, SOCK_RAW | Libc.O_CLOEXEC | Libc.O_NONBLOCK, NETLINK_ROUTE);
        if (fd < 0) {
            throw Libc.failure("rtnetlink socket", Libc.errno(errno));
        }
        try (Arena local = Arena.ofConfined()) {
            MemorySegment address = local.allocate(SOCKADDR_NL_BYTES);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            address.set(ValueLayout.JAVA_INT, 8, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR);
            if (Libc.bind(errno, fd, address) < 0) {
                int error = Libc.errno(errno);
                Libc.close(fd);
                throw Libc.failure("rtnetlink bind", error);
            }
        }
        return new AddressEvents(fd);
    }

    /**
     * Waits up to {@code timeoutMillis} for changes; true when some arrived (everything queued is read and dropped).
     * An overflow of the socket's queue counts as a change: the caller looks again either way.
     */
    public boolean await(int timeoutMillis) throws IOException {
        pollFd.set(ValueLayout.JAVA_SHORT, Libc.POLLFD_REVENTS_OFFSET, (short) 0);
        int ready = Libc.poll(errno, pollFd, 1, timeoutMillis);
        if (ready < 0) {
            int error = Libc.errno(errno);
            if (error == Libc.EINTR) {
                return false;
            }
            throw Libc.failure("poll rtnetlink", error);
        }
        if (ready == 0) {
            return false;
        }
        for (int i = 0; i < MAX_READS; i++) {
            long n = Libc.read(errno, fd, buffer);
            if (n < 0 && Libc.errno(errno) == Libc.EAGAIN) {
                break;  // drained
            }
            // n > 0: a batch of messages; n < 0 otherwise is ENOBUFS (we fell behind): a change either way.
        }
        return true;
    }

    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
