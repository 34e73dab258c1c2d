package io.ocbridge.core.daemon;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * sd_notify(3) without libsystemd: one datagram per state change to the Unix socket named by {@code $NOTIFY_SOCKET}
 * (a path, or {@code @name} in the abstract namespace). The JDK has no Unix datagram sockets, so this calls
 * {@code socket}/{@code sendto}/{@code close} through FFM. Without {@code $NOTIFY_SOCKET} every call does nothing.
 */
public final class SystemdNotifier {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** {@code sizeof(struct sockaddr_un)}: a 2-byte family, then {@code sun_path[108]}. */
    static final int SOCKADDR_UN_BYTES = 110;
    private static final int SUN_PATH_OFFSET = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = bind("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static final SystemdNotifier NONE = new SystemdNotifier(null);

    private final byte[] address;

    private SystemdNotifier(byte[] address) {
        this.address = address;
    }

    /** The notifier for {@code $NOTIFY_SOCKET}, or one that does nothing when it is unset or empty. */
    public static SystemdNotifier fromEnvironment() {
        return forSocket(System.getenv("NOTIFY_SOCKET"));
    }

    /** The notifier for a socket path or {@code @abstract} name; null or empty gives one that does nothing. */
    public static SystemdNotifier forSocket(String socket) {
        return socket == null || socket.isEmpty() ? NONE : new SystemdNotifier(sockaddr(socket));
    }

    /**
     * The {@code sockaddr_un} bytes for {@code socket}, exactly as long as {@code sendto} must be told: the family,
     * then the path and its NUL; for {@code @name}, a NUL and the name with no terminator (the abstract namespace).
     */
    static byte[] sockaddr(String socket) {
        boolean abstractName = socket.charAt(0) == '@';
        byte[] path = (abstractName ? socket.substring(1) : socket).getBytes(StandardCharsets.UTF_8);
        int length = SUN_PATH_OFFSET + 1 + path.length;
        if (length > SOCKADDR_UN_BYTES) {
            throw new IllegalArgumentException("NOTIFY_SOCKET longer than " + (SOCKADDR_UN_BYTES - 3) + " bytes");
        }
        byte[] out = new byte[length];
        out[0] = (byte) AF_UNIX;  // sa_family_t, little-endian (x86-64, aarch64)
        System.arraycopy(path, 0, out, SUN_PATH_OFFSET + (abstractName ? 1 : 0), path.length);
        return out;  // a path: the NUL after it is the last byte; @name: the first path byte is the NUL
    }

    public boolean enabled() {
        return address != null;
    }

    /** Sends {@code state} (e.g. {@code READY=1\nSTATUS=...}); a failure is an {@link IOException}. */
    public void notify(String state) throws IOException {
        if (address == null) {
            return;
        }
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment to = arena.allocate(SOCKADDR_UN_BYTES);
            MemorySegment.copy(address, 0, to, ValueLayout.JAVA_BYTE, 0, address.length);
            MemorySegment data = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, data, ValueLayout.JAVA_BYTE, 0, message.length);
            int fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed");
            }
            try {
                long sent = (long) SENDTO.invokeExact(fd, data, (long) message.length, MSG_NOSIGNAL, to, address.length);
                if (sent != message.length) {
                    throw new IOException("sendto NOTIFY_SOCKET failed");
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("sd_notify: " + e, e);
        }
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }
}
