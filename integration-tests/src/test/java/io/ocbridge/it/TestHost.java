package io.ocbridge.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine running these tests: its preconditions, the repository, the JDK of this JVM. */
final class TestHost {
    static final List<String> TOOLS = List.of("ip", "wg", "wireguard-go", "ping", "sysctl");
    /** The L2 tests' extra tools: bridge FDB entries, the DHCP server (dnsmasq-base) and client (busybox udhcpc). */
    static final List<String> L2_TOOLS = List.of("bridge", "dnsmasq", "busybox");

    private TestHost() {}

    /** Skips (does not fail) the calling test unless we are root with the tools and /dev/net/tun. */
    static void assumeNetnsCapable() {
        assumeTrue(isRoot(), "integration tests need root (network namespaces, TUN devices)");
        for (String tool : TOOLS) {
            assumeTrue(onPath(tool), tool + " not found on PATH");
        }
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing");
    }

    /** As {@link #assumeNetnsCapable()}, plus the tools of the L2 segment tests. */
    static void assumeL2Capable() {
        assumeNetnsCapable();
        for (String tool : L2_TOOLS) {
            assumeTrue(onPath(tool), tool + " not found on PATH (scripts/install-deps.sh installs it)");
        }
    }

    static boolean isRoot() {
        try {
            // /proc/self belongs to the effective uid of the process reading it.
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The repository root: system property {@code ocbridge.root} (set by the pom), else the parent of the module dir. */
    static Path repoRoot() {
        String root = System.getProperty("ocbridge.root");
        return root != null ? Path.of(root) : Path.of(System.getProperty("user.dir")).getParent();
    }

    static Path logRoot() {
        return repoRoot().resolve("integration-tests/target/it-logs");
    }

    /** The {@code java} launcher of this JVM (JDK 25), for helper programs run inside namespaces. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The whole test classpath of this JVM (surefire sets {@code java.class.path} to it): the helper mains that need
     * the project's own modules ({@code tunnel-crypto}) run with it.
     */
    static String fullTestClasspath() {
        return System.getProperty("java.class.path");
    }

    /** Where this module's test classes were loaded from, as a classpath for the helper mains. */
    static String testClasspath() {
        try {
            return Path.of(TestHost.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
