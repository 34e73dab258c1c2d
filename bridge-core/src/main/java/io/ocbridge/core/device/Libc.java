package io.ocbridge.core.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The few glibc calls the device package needs, bound once via FFM. Calls that can fail take a
 * caller-owned errno segment ({@link #newErrnoSegment()}), one per calling thread, so that the
 * hot path allocates nothing. Constants are Linux's, identical on x86-64 and AArch64 unless said.
 */
final class Libc {

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    /** The one flag here that differs between the two: 0400000 on x86-64, 0100000 on AArch64. */
    static final int O_NOFOLLOW = "aarch64".equals(System.getProperty("os.arch")) ? 0x8000 : 0x20000;
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int ELOOP = 40;

    static final int EINTR = 4;
    static final int EAGAIN = 11;

    static final short POLLIN = 0x1;

    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final long POLLFD_SIZE = 8;
    static final long POLLFD_EVENTS_OFFSET = 4;
    static final long POLLFD_REVENTS_OFFSET = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            ERRNO_OPTION, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = bind("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle WRITE = bind("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle POLL = bind("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETEUID = bind("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SOCKET = bind("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle BIND = bind("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    private static final Optional<MethodHandle> STRERRORNAME = tryBind("strerrorname_np");
    private static final Optional<MethodHandle> STRERRORDESC = tryBind("strerrordesc_np");

    private Libc() {
    }

    /** A segment to receive errno; confine each to one thread. */
    static MemorySegment newErrnoSegment() {
        return Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment errnoSegment) {
        return (int) ERRNO.get(errnoSegment, 0L);
    }

    static int open(MemorySegment errno, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags, 0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int ioctl(MemorySegment errno, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(errno, fd, request, argument);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** An ioctl whose argument is a value, not a pointer (TUNSETOFFLOAD takes its flags so). */
    static int ioctl(MemorySegment errno, int fd, long request, long value) {
        try {
            return (int) IOCTL_VALUE.invokeExact(errno, fd, request, value);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long read(MemorySegment errno, int fd, MemorySegment buffer) {
        try {
            return (long) READ.invokeExact(errno, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long write(MemorySegment errno, int fd, MemorySegment buffer) {
        try {
            return (long) WRITE.invokeExact(errno, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int poll(MemorySegment errno, MemorySegment pollFds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(errno, pollFds, count, timeoutMillis);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int bind(MemorySegment errno, int fd, MemorySegment address) {
        try {
            return (int) BIND.invokeExact(errno, fd, address, (int) address.byteSize());
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code "Operation not permitted (EPERM)"}; {@code "errno 1"} where glibc can't name it. */
    static String describe(int errno) {
        if (STRERRORNAME.isEmpty() || STRERRORDESC.isEmpty()) {
            return "errno " + errno;
        }
        String name = cString(STRERRORNAME.get(), errno);
        String description = cString(STRERRORDESC.get(), errno);
        if (name == null || description == null) {
            return "errno " + errno;
        }
        return description + " (" + name + ")";
    }

    /** An {@link IOException} such as {@code "TUNSETIFF ocb-corp: Operation not permitted (EPERM)"}. */
    static IOException failure(String what, int errno) {
        return new IOException(what + ": " + describe(errno));
    }

    private static String cString(MethodHandle function, int argument) {
        try {
            MemorySegment text = (MemorySegment) function.invokeExact(argument);
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static Optional<MethodHandle> tryBind(String name) {
        return LINKER.defaultLookup().find(name)
                .map(symbol -> LINKER.downcallHandle(symbol, FunctionDescriptor.of(ADDRESS, JAVA_INT)));
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
