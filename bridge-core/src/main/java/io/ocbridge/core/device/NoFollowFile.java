package io.ocbridge.core.device;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a small file the way a secret must be read: {@code open(O_NOFOLLOW)}, so a symbolic link put in its place is
 * refused, then the attributes of the file actually opened (the descriptor's, through {@code /proc/self/fd}), not of
 * the path, which could be swapped between a check and an open. The caller's check sees owner and mode before a byte
 * is read.
 */
public final class NoFollowFile {
    /** The opened file's owner (numeric, and by name where the system knows it) and mode bits ({@code st_mode}). */
    public record Stat(int uid, String ownerName, int mode) {
        public boolean isRegularFile() {
            return (mode & 0170000) == 0100000;
        }
    }

    /** Why the opened file must not be read, or null when it may. */
    @FunctionalInterface
    public interface Check {
        String problem(Stat opened);
    }

    private NoFollowFile() {
    }

    /**
     * The content of {@code file}, at most {@code maxBytes} (more is an error), if {@code check} accepts the file that
     * was opened. Every failure is an IOException with one line that names the file; the content never appears in one.
     */
    public static byte[] read(Path file, int maxBytes, Check check) throws IOException {
        MemorySegment errno = Libc.newErrnoSegment();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.open(errno, arena.allocateFrom(file.toString()), Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        }
        if (fd < 0) {
            int error = Libc.errno(errno);
            throw new IOException(file + ": " + switch (error) {
                case Libc.ELOOP -> "is a symbolic link; name the key file itself";
                case Libc.ENOENT -> "file not found";
                case Libc.EACCES -> "permission denied";
                default -> Libc.describe(error);
            });
        }
        try {
            Path opened = Path.of("/proc/self/fd/" + fd);
            Map<String, Object> attributes = Files.readAttributes(opened, "unix:uid,mode,owner");
            Stat stat = new Stat((Integer) attributes.get("uid"),
                    ((java.nio.file.attribute.UserPrincipal) attributes.get("owner")).getName(),
                    (Integer) attributes.get("mode"));
            if (!stat.isRegularFile()) {
                throw new IOException(file + ": not a regular file");
            }
            String problem = check.problem(stat);
            if (problem != null) {
                throw new IOException(file + ": " + problem);
            }
            return readAll(file, errno, fd, maxBytes);
        } finally {
            Libc.close(fd);
        }
    }

    private static byte[] readAll(Path file, MemorySegment errno, int fd, int maxBytes) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(maxBytes + 1L);
            long total = 0;
            for (int reads = 0; reads <= maxBytes + 1 && total <= maxBytes; reads++) {  // a read returns at least 1 byte
                long n = Libc.read(errno, fd, buffer.asSlice(total));
                if (n < 0) {
                    int error = Libc.errno(errno);
                    if (error == Libc.EINTR) {
                        continue;
                    }
                    throw new IOException(file + ": " + Libc.describe(error));
                }
                if (n == 0) {
                    break;
                }
                total += n;
            }
            try {
                if (total > maxBytes) {
                    throw new IOException(file + ": larger than " + maxBytes + " bytes; not a key file");
                }
                return buffer.asSlice(0, total).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                buffer.fill((byte) 0);  // the native copy of the secret goes with the arena, zeroed first
            }
        }
    }

    /** This process's effective uid. */
    public static int effectiveUid() {
        return Libc.geteuid();
    }
}
