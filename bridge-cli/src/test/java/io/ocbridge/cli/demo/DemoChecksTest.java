package io.ocbridge.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks the demo shares with the integration tests, on output captured from iputils ping and iproute2. */
class DemoChecksTest {
    private static final String QUIET = """
            PING 10.20.0.11 (10.20.0.11) 56(84) bytes of data.

            --- 10.20.0.11 ping statistics ---
            5 packets transmitted, 5 received, 0% packet loss, time 803ms
            rtt min/avg/max/mdev = 2.536/3.861/6.050/1.186 ms
            """;
    private static final String DUPLICATED = """
            --- 10.20.0.202 ping statistics ---
            10 packets transmitted, 10 received, +3 duplicates, 0% packet loss, time 1804ms
            rtt min/avg/max/mdev = 0.310/0.455/0.811/0.120 ms
            """;
    private static final String UNANSWERED = """
            --- 10.20.0.11 ping statistics ---
            1 packets transmitted, 0 received, 100% packet loss, time 0ms
            """;

    @Test
    void pingArgumentsPutOptionsBeforeTheAddress() {
        assertEquals(List.of("ping", "-n", "-q", "-c", "5", "-i", "0.2", "-W", "1", "-M", "do", "-s", "1472",
                "10.20.0.11"), PingCommand.quiet("10.20.0.11", 5, "-M", "do", "-s", "1472"));
        assertEquals(List.of("ping", "-n", "-c", "10", "-i", "0.2", "-W", "1", "10.20.0.202"),
                PingCommand.verbose("10.20.0.202", 10));
    }

    @Test
    void pingSummaryCountsRepliesDuplicatesAndRoundTrip() {
        assertEquals(new PingCommand.Summary(5, 5, 3.861, 0), PingCommand.parse(QUIET));
        assertEquals(new PingCommand.Summary(10, 10, 0.455, 3), PingCommand.parse(DUPLICATED));
        var lost = PingCommand.parse(UNANSWERED);
        assertEquals(1, lost.transmitted());
        assertEquals(0, lost.received());
        assertTrue(Double.isNaN(lost.avgRttMs()));
        var killed = PingCommand.parse("PING 10.20.0.11 (10.20.0.11) 56(84) bytes of data.\n");
        assertEquals(0, killed.transmitted());
        assertEquals(0, killed.received());
    }

    @Test
    void macAndAddressComeFromIproute2Output() {
        String link = "2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT "
                + "group default qlen 1000\\    link/ether 46:96:3c:8a:41:66 brd ff:ff:ff:ff:ff:ff link-netns ocb1-gw";
        assertEquals(Optional.of("46:96:3c:8a:41:66"), LinkChecks.mac(link));
        assertEquals(Optional.empty(), LinkChecks.mac("1: lo: <LOOPBACK,UP> mtu 65536\\    link/loopback 00:00:00:00:00:00"));
        assertEquals(Optional.of("10.20.0.148"), LinkChecks.firstIpv4(
                "2: eth0    inet 10.20.0.148/24 scope global eth0\\       valid_lft forever preferred_lft forever"));
        assertEquals(Optional.empty(), LinkChecks.firstIpv4(""));
    }

    @Test
    void neighbourEntryMustNameTheMacInEitherCase() {
        String neigh = "10.20.0.148 dev eth0 lladdr 46:96:3c:8a:41:66 DELAY";
        assertTrue(LinkChecks.neighbourIs(neigh, "46:96:3C:8A:41:66"));
        assertFalse(LinkChecks.neighbourIs(neigh, "46:96:3c:8a:41:67"));
        assertFalse(LinkChecks.neighbourIs("10.20.0.148 dev eth0 INCOMPLETE", "46:96:3c:8a:41:66"));
    }

    @Test
    void udhcpcHookOnlyAssignsTheAddressAndIsOwnerOnly(@TempDir Path dir) throws Exception {
        Path hook = UdhcpcCommand.writeHook(dir.resolve("dhcp").resolve("udhcpc-hook.sh"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(hook)));
        String script = Files.readString(hook);
        assertTrue(script.contains("exec ip addr replace \"$ip/$mask\" dev \"$interface\""), script);
        assertFalse(script.contains("resolv.conf") || script.contains("route"), script);
        assertEquals(List.of("busybox", "udhcpc", "-f", "-q", "-n", "-i", "eth0", "-t", "20", "-T", "1", "-s",
                hook.toString()), UdhcpcCommand.argv("eth0", 20, hook));
    }
}
