package io.ocbridge.core.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether stderr is the systemd journal: systemd sets {@code JOURNAL_STREAM=<device>:<inode>} for a service whose
 * output goes there, and sd-daemon(3) says to compare it with stderr's own, so a child whose stderr was redirected
 * elsewhere does not write priority prefixes into a file.
 */
final class JournalStream {
    private JournalStream() {
    }

    /** True if {@code journalStream} (the variable's value, or null) names the file behind this process's fd 2. */
    static boolean isStderr(String journalStream) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        try {
            // stat(2) of /proc/self/fd/2 is the stat of what fd 2 is, a socket included.
            Map<String, Object> stderr = Files.readAttributes(Path.of("/proc/self/fd/2"), "unix:dev,ino");
            return matches(journalStream, (Long) stderr.get("dev"), (Long) stderr.get("ino"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** True if {@code journalStream} is {@code "<dev>:<ino>"} with these numbers (decimal, as systemd writes them). */
    static boolean matches(String journalStream, long dev, long ino) {
        int colon = journalStream.indexOf(':');
        if (colon < 0) {
            return false;
        }
        try {
            return Long.parseLong(journalStream.substring(0, colon).strip()) == dev
                    && Long.parseLong(journalStream.substring(colon + 1).strip()) == ino;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
