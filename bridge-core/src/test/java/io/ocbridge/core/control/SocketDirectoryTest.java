package io.ocbridge.core.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void refusesADirectoryGroupOrOthersCanWrite() throws Exception {
        Path sockets = Files.createDirectory(dir.resolve("wireguard"));
        long self = uid(sockets);
        for (String mode : new String[] {"rwxr-xr-x", "rwx------", "rwxr-x---", "r-x------"}) {
            Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString(mode));
            assertDoesNotThrow(() -> SocketDirectory.verify(sockets, self), mode);
        }
        for (String mode : new String[] {"rwxrwxr-x", "rwxr-xrwx", "rwxrwxrwx", "rwx-w----"}) {
            Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString(mode));
            IOException e = assertThrows(IOException.class, () -> SocketDirectory.verify(sockets, self), mode);
            assertEquals("refusing socket directory " + sockets + ": group or others can write to it (mode "
                    + String.format("%04o", bits(mode)) + "); chmod go-w it", e.getMessage());
        }
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(sockets, "unix:mode", 01777); // sticky, as /tmp: still refused
        assertThrows(IOException.class, () -> SocketDirectory.verify(sockets, self));
    }

    @Test
    void refusesADirectoryOwnedByAnotherUser() throws Exception {
        Path sockets = Files.createDirectory(dir.resolve("ocbridge"));
        long self = uid(sockets);
        long other;
        if (self == 0) { // root: give the directory away
            Files.setAttribute(sockets, "unix:uid", 65534);
            other = 0;
        } else {         // not root: pretend the daemon is someone else
            other = self + 1;
        }
        IOException e = assertThrows(IOException.class, () -> SocketDirectory.verify(sockets, other));
        assertEquals("refusing socket directory " + sockets + ": owned by uid " + uid(sockets)
                + ", not by root or the daemon's user (uid " + other + ")", e.getMessage());
    }

    private static long uid(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid");
    }

    /** "rwxr-x---" as 0750. */
    private static int bits(String mode) {
        int bits = 0;
        for (int i = 0; i < 9; i++) {
            bits = bits << 1 | (mode.charAt(i) == '-' ? 0 : 1);
        }
        return bits;
    }
}
