package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** What a process (a daemon under test) costs: CPU time from {@code /proc/PID/stat}, JVM heap through {@code jcmd}. */
final class ProcessStats {
    /** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux ABI the tests run on. */
    private static final long TICKS_PER_SECOND = 100;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private ProcessStats() {}

    /** User plus system CPU time the process has used so far. */
    static Duration cpuTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')': state is field 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);  // utime (14), stime (15)
            return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Heap in use after a full collection ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes: the live set. */
    static long liveHeapBytes(long pid) {
        String jcmd = Path.of(TestHost.javaBinary()).resolveSibling("jcmd").toString();
        Cmd.run(Duration.ofSeconds(30), null, List.of(jcmd, Long.toString(pid), "GC.run")).orThrow();
        String info = Cmd.run(Duration.ofSeconds(30), null,
                List.of(jcmd, Long.toString(pid), "GC.heap_info")).orThrow().output();
        var m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new AssertionError("no heap figure in jcmd GC.heap_info:\n" + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }
}
