package io.ocbridge.core.control;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The check on a directory a local socket is bound in ({@code /run/wireguard}, the control socket's). Whoever can
 * write there can replace our socket with theirs, and root's {@code wg set} or {@code ocbridge reload} would then talk
 * to an impostor. So the directory must belong to root or to the daemon's own user, and group and others must not be
 * able to write to it.
 */
final class SocketDirectory {
    private static final int GROUP_OR_OTHERS_WRITE = 0022;

    private SocketDirectory() {
    }

    /** Refuses {@code directory} with a one-line {@link IOException} naming it, its owner or mode, and the fix. */
    static void verify(Path directory) throws IOException {
        verify(directory, new UnixSystem().getUid());
    }

    /** As {@link #verify(Path)} for a daemon running as {@code daemonUid}. */
    static void verify(Path directory, long daemonUid) throws IOException {
        // Follows links: what matters is the directory the socket lands in (/var/run is a link to /run).
        Map<String, Object> attributes = Files.readAttributes(directory, "unix:uid,mode");
        int owner = (Integer) attributes.get("uid");
        int mode = (Integer) attributes.get("mode") & 07777;
        if (owner != 0 && owner != daemonUid) {
            throw new IOException("refusing socket directory " + directory + ": owned by uid " + owner
                    + ", not by root or the daemon's user (uid " + daemonUid + ")");
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            throw new IOException("refusing socket directory " + directory + ": group or others can write to it (mode "
                    + String.format("%04o", mode) + "); chmod go-w it");
        }
    }
}
