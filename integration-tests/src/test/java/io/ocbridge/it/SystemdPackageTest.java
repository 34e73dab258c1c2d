package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package under real systemd (issue 12): builds the .deb with {@code scripts/package.sh --prebuilt} (the
 * jars this reactor just packaged), then runs {@code src/test/sh/systemd-package.sh}, which boots two systemd-nspawn
 * containers with no JDK in them, installs the package in each and proves the unit, the non-root daemon, reload,
 * restart after kill -9, stop, the journal, remove and purge. The script does the work (it is the shell an operator
 * would type, run by nsenter); this class builds, bounds it in time, and records its SUMMARY lines.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class SystemdPackageTest {
    private static final long PACKAGE_DEADLINE_S = 300;
    private static final long SCRIPT_DEADLINE_S = 420;

    @Test
    void packageInstallsAndRunsSitesUnderRealSystemd() throws Exception {
        TestHost.assumeNetnsCapable();
        assumeTrue(TestHost.onPath("systemd-nspawn"), "systemd-nspawn not found (scripts/install-deps.sh installs it)");
        assumeTrue(TestHost.onPath("dpkg-deb"), "dpkg-deb not found: the package is a Debian one");
        // The containers boot this machine's own root: it must hold systemd, as Debian's does.
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/systemd/systemd")), "no systemd on this machine's root to boot");
        Path root = TestHost.repoRoot();
        Path logs = root.resolve("integration-tests/target/it-logs/SystemdPackageTest");
        Files.createDirectories(logs);

        Path packageLog = logs.resolve("package.log");
        assertEquals(0, run(List.of("bash", root.resolve("scripts/package.sh").toString(), "--prebuilt"), packageLog,
                PACKAGE_DEADLINE_S), "scripts/package.sh --prebuilt failed:\n" + tail(packageLog));
        Path deb;
        try (Stream<Path> dist = Files.list(root.resolve("dist"))) {
            deb = dist.filter(p -> p.getFileName().toString().matches("ocbridge_.*_amd64\\.deb"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified())).orElseThrow();
        }
        long debBytes = Files.size(deb);

        Path work = Files.createTempDirectory("ocbridge-systemd-" + ProcessHandle.current().pid() + "-");
        Path scriptLog = logs.resolve("systemd-package.log");
        try {
            int exit = run(List.of("bash", root.resolve("integration-tests/src/test/sh/systemd-package.sh").toString(),
                    deb.toString(), work.toString()), scriptLog, SCRIPT_DEADLINE_S);
            assertEquals(0, exit, "systemd-package.sh failed:\n" + tail(scriptLog));
        } finally {
            deleteTree(work);
        }
        List<String> figures = Files.readAllLines(scriptLog, StandardCharsets.UTF_8).stream()
                .filter(line -> line.startsWith(Summary.PREFIX))
                .map(line -> line.substring(Summary.PREFIX.length()))
                .toList();
        assertTrue(figures.stream().anyMatch(f -> f.startsWith("start_to_ready_ms_with_aot=")), "no start-up figures");
        Summary.line("SystemdPackageTest", "package %s %.1f MB; %s", deb.getFileName(), debBytes / 1e6,
                String.join("; ", figures));
    }

    /**
     * Runs {@code argv} with output into {@code log}; at the deadline, SIGTERM (the script then cleans up its
     * containers and mounts), and SIGKILL 30 s later. Returns the exit code, -1 on a deadline.
     */
    private static int run(List<String> argv, Path log, long deadlineSeconds) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (p.waitFor(deadlineSeconds, TimeUnit.SECONDS)) {
            return p.exitValue();
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        return -1;
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Deletes {@code dir}, but never through a mount still under it (a container root is an overlay of /). */
    private static void deleteTree(Path dir) throws IOException {
        String prefix = dir.toRealPath() + "/";
        for (String mount : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String point = mount.split(" ")[4];
            if (point.startsWith(prefix)) {
                throw new IllegalStateException("still mounted: " + point + "; left " + dir + " in place");
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
