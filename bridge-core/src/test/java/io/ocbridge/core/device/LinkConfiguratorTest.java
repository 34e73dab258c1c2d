package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkConfiguratorTest {

    @Test
    void configuresAndDeletesALinkInANamespace() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            namespace.call(() -> {
                TunDevice tun = TunDevice.openTun("ocbt2");
                try {
                    ip.setMtu("ocbt2", 1280);
                    ip.addAddress("ocbt2", Cidr.parse("10.98.0.1/24"));
                    ip.addAddress("ocbt2", Cidr.parse("fd98::1/64"));
                    ip.setUp("ocbt2");
                    // Routes are replaced, so a prefix equal to the connected subnet, or given twice, is not an error.
                    assertEquals(Map.of(), ip.replaceRoutes("ocbt2", List.of(Cidr.parse("172.31.5.9/16"),
                            Cidr.parse("fd99::/48"), Cidr.parse("172.31.0.0/16"), Cidr.parse("10.98.0.0/24"))));
                    String routes = routes(namespace);
                    assertTrue(routes.contains("172.31.0.0/16 dev ocbt2") && routes.contains("fd99::/48 dev ocbt2"), routes);
                    IOException duplicate = assertThrows(IOException.class,
                            () -> ip.addAddress("ocbt2", Cidr.parse("10.98.0.1/24")));
                    // ip's own wording differs between iproute2 versions: check the command and one line.
                    String prefix = "/usr/sbin/ip -n " + namespace.name() + " address add 10.98.0.1/24 dev ocbt2: ";
                    assertTrue(duplicate.getMessage().startsWith(prefix), duplicate.getMessage());
                    assertFalse(duplicate.getMessage().contains("\n"), duplicate.getMessage());
                } finally {
                    tun.close();
                }
                return null;
            });
        }
    }

    /** What a reload does to a segment whose bridge changed: the TAP moves from one bridge to another, then out. */
    @Test
    void aTapMovesBetweenBridgesAndOut() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            for (String bridge : List.of("ocbbr1", "ocbbr2")) {
                exec("/usr/sbin/ip", "-n", namespace.name(), "link", "add", bridge, "type", "bridge");
            }
            namespace.call(() -> {
                TunDevice tap = TunDevice.openTap("ocbtap3");
                try {
                    ip.setMaster("ocbtap3", "ocbbr1");
                    assertTrue(link(namespace, "ocbtap3").contains(" master ocbbr1 "), link(namespace, "ocbtap3"));
                    ip.setMaster("ocbtap3", "ocbbr2");
                    assertTrue(link(namespace, "ocbtap3").contains(" master ocbbr2 "), link(namespace, "ocbtap3"));
                    ip.setNoMaster("ocbtap3");
                    assertFalse(link(namespace, "ocbtap3").contains(" master "), link(namespace, "ocbtap3"));
                    ip.setNoMaster("ocbtap3");  // already out: no error
                } finally {
                    tap.close();
                }
                return null;
            });
        }
    }

    private static String link(NetNamespace namespace, String device) throws IOException, InterruptedException {
        return exec("/usr/sbin/ip", "-n", namespace.name(), "-o", "link", "show", "dev", device);
    }

    /** One batch for many routes; a route the kernel refuses is named with ip's message and the others go in. */
    @Test
    void routesGoInOneBatchAndARefusedOneIsNamed() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            namespace.call(() -> {
                TunDevice tun = TunDevice.openTun("ocbt3");
                try {
                    ip.setUp("ocbt3");
                    List<Cidr> many = new ArrayList<>();
                    for (int i = 0; i < 20_000; i++) {  // a 10,000-peer overlay's routes
                        many.add(Cidr.ofV4(0x0a40_0000 + i, 32));
                    }
                    long started = System.nanoTime();
                    assertEquals(Map.of(), ip.replaceRoutes("ocbt3", many));
                    System.out.printf("LinkConfiguratorTest: 20,000 routes in one ip -batch run: %d ms%n",
                            (System.nanoTime() - started) / 1_000_000);
                    assertEquals(20_000, routes(namespace).lines().filter(l -> l.startsWith("10.64.")).count());

                    // The kernel refuses IPv6 routes through a device with IPv6 off.
                    exec("ip", "netns", "exec", namespace.name(), "sysctl", "-qw", "net.ipv6.conf.ocbt3.disable_ipv6=1");
                    Map<Cidr, String> refused = ip.replaceRoutes("ocbt3",
                            List.of(Cidr.parse("10.50.0.0/16"), Cidr.parse("fd77::/48"), Cidr.parse("10.51.0.7/16")));
                    assertEquals(List.of(Cidr.parse("fd77::/48")), List.copyOf(refused.keySet()));
                    assertTrue(refused.get(Cidr.parse("fd77::/48")).contains("IPv6"), refused.toString());
                    String routes = routes(namespace);
                    assertTrue(routes.contains("10.50.0.0/16 dev ocbt3") && routes.contains("10.51.0.0/16 dev ocbt3"), routes);

                    // Deleting: a route already gone is not a failure.
                    assertEquals(Map.of(), ip.deleteRoutes("ocbt3", List.of(Cidr.parse("10.50.0.0/16"), Cidr.parse("10.52.0.0/16"))));
                    assertFalse(routes(namespace).contains("10.50.0.0/16"));
                } finally {
                    tun.close();
                }
                return null;
            });
        }
    }

    private static String routes(NetNamespace namespace) throws IOException, InterruptedException {
        return exec("/usr/sbin/ip", "-n", namespace.name(), "route", "show") + exec("/usr/sbin/ip", "-n",
                namespace.name(), "-6", "route", "show");
    }

    private static String exec(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }

    @Test
    void missingDeviceIsAnErrorWithIpsMessage() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            assertFalse(ip.linkExists("nosuchdev"));
            assertTrue(ip.linkExists("lo"));
            IOException e = assertThrows(IOException.class, () -> ip.setMtu("nosuchdev", 1400));
            assertTrue(e.getMessage().endsWith(": Cannot find device \"nosuchdev\""), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            IOException gone = assertThrows(IOException.class, () -> ip.deleteLink("nosuchdev"));
            assertTrue(gone.getMessage().contains("nosuchdev"), gone.getMessage());
        }
    }

    /**
     * ip runs with LC_ALL=C whatever our locale: the fake ip answers in English only then, and linkExists recognises
     * "does not exist" only in English.
     */
    @Test
    void ipRunsInTheCLocale(@TempDir Path dir) throws Exception {
        Path ip = script(dir.resolve("ip"), """
                #!/bin/sh
                if [ "$LC_ALL" = C ]; then printf 'Device "%s" does not exist.\\n' "$4" >&2
                else printf 'Gerät "%s" existiert nicht. (LC_ALL=%s)\\n' "$4" "$LC_ALL" >&2; fi
                exit 1
                """);
        LinkConfigurator configurator = LinkConfigurator.current(List.of(ip));
        assertFalse(configurator.linkExists("nosuchdev"));
        IOException e = assertThrows(IOException.class, () -> configurator.setUp("nosuchdev"));
        assertEquals(ip + " link set dev nosuchdev up: Device \"nosuchdev\" does not exist.", e.getMessage());
    }

    /** ip is the first executable file among fixed absolute paths; never a lookup on PATH, which root should not trust. */
    @Test
    void ipIsTheFirstExecutableFileAtAFixedPathOrAClearError(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing/ip");
        Path directory = Files.createDirectories(dir.resolve("dir/ip"));
        Path notExecutable = Files.writeString(Files.createDirectories(dir.resolve("plain")).resolve("ip"), "#!/bin/sh\n");
        Path ip = script(Files.createDirectories(dir.resolve("sbin")).resolve("ip"), "#!/bin/sh\necho refused >&2\nexit 2\n");
        LinkConfigurator found = LinkConfigurator.current(List.of(missing, directory, notExecutable, ip));
        IOException ran = assertThrows(IOException.class, () -> found.setUp("eth9"));
        assertEquals(ip + " link set dev eth9 up: refused", ran.getMessage());

        LinkConfigurator none = LinkConfigurator.current(List.of(missing, directory, notExecutable, Path.of("ip")));
        IOException e = assertThrows(IOException.class, () -> none.setUp("eth9"));
        assertEquals("cannot configure links: no executable ip at " + missing + ", " + directory + ", "
                + notExecutable + ", ip (install iproute2)", e.getMessage());
        assertEquals(List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"), Path.of("/bin/ip")),
                LinkConfigurator.IP_LOCATIONS);
    }

    private static Path script(Path path, String text) throws IOException {
        Files.writeString(path, text);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        return path;
    }

    @Test
    void refusesBadNamesWithoutRunningIp() {
        LinkConfigurator ip = LinkConfigurator.current();
        assertThrows(IllegalArgumentException.class, () -> ip.setUp("bad name"));
        assertThrows(IllegalArgumentException.class, () -> LinkConfigurator.inNamespace("-x"));
    }
}
