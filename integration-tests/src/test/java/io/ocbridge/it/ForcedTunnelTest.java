package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.route.ForcedTunnel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Forced tunnelling: gateway A (the cloud) has {@code default-route: true} and a peer B (the DC) whose allowed-ips
 * hold 0.0.0.0/0 and ::/0; B forwards to an "internet" host that belongs to no site.
 * <pre>
 *  hostA --lan-- gwA ==wan== gwB --inet0 203.0.113.1/24, fd0e::1/64-- inet 203.0.113.10, fd0e::10
 * </pre>
 * gwA reaches gwB's endpoint only by its default route (its on-link wan prefix is removed), so the tunnel's own
 * datagrams would loop into the tunnel but for their mark. The internet host routes back only the overlay and site A's
 * LAN, so a reply proves the request came through the tunnel. The policy rules and table routes, both families, are
 * gone after SIGTERM, after a reload that turns forced tunnelling off, and after SIGKILL, restart and stop.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class ForcedTunnelTest extends LabTest<Topology> {
    static final String INET = "203.0.113.10";
    static final String INET6 = "fd0e::10";
    static final String OVERLAY6_A = "fd77::1";
    static final long TABLE = Topology.LISTEN_PORT;  // the default: the listen port
    static final Duration TUNNEL_UP = Duration.ofSeconds(10);

    private Netns inet;
    private Site a;
    private Site.Peer dc;
    private OcbridgeDaemon daemonA;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "forced tunnelling is ocbridge's");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
        inet = net.namespace("i");
        net.gwB.addVeth("inet0", inet, "eth0");
        net.gwB.ip("addr", "add", "203.0.113.1/24", "dev", "inet0").orThrow();
        net.gwB.ip("-6", "addr", "add", "fd0e::1/64", "dev", "inet0", "nodad").orThrow();
        net.gwB.ip("link", "set", "inet0", "up").orThrow();
        net.gwB.sysctl("net.ipv6.conf.all.forwarding", "1");
        inet.ip("addr", "add", INET + "/24", "dev", "eth0").orThrow();
        inet.ip("-6", "addr", "add", INET6 + "/64", "dev", "eth0", "nodad").orThrow();
        inet.ip("link", "set", "eth0", "up").orThrow();
        // Routes back for the overlay and site A's LAN only: nothing back to gwA's underlay address.
        inet.ip("route", "add", "10.77.0.0/24", "via", "203.0.113.1").orThrow();
        inet.ip("route", "add", Topology.LAN_A, "via", "203.0.113.1").orThrow();
        inet.ip("-6", "route", "add", "fd77::/64", "via", "fd0e::1").orThrow();
        // gwA as a cloud VM: its underlay is a default route, not an on-link prefix.
        net.gwA.ip("route", "del", "192.0.2.0/24", "dev", "wan0").orThrow();
        net.gwA.ip("route", "add", "default", "via", Topology.WAN_B, "dev", "wan0", "onlink").orThrow();

        a = Site.a(net, Keys.generate());
        Site b = Site.b(net, Keys.generate());
        var aAsPeer = new Site.Peer(a.name(), a.keys().publicKey(),
                List.of(Topology.OVERLAY_A + "/32", Topology.LAN_A, OVERLAY6_A + "/128"), a.endpoint(), null, null);
        OcbridgeDaemon.start(net, b, "b", aAsPeer);
        dc = new Site.Peer(b.name(), b.keys().publicKey(), List.of(Topology.OVERLAY_B + "/32", Topology.LAN_B,
                "0.0.0.0/0", "::/0"), b.endpoint(), null, null);
    }

    private OcbridgeDaemon startA() {
        var daemon = OcbridgeDaemon.startWithOverlayLines(net, a, "a", List.of(dc), List.of("default-route: true"));
        // The overlay's IPv6 source address, which site configs of this lab do not carry.
        net.gwA.ip("-6", "addr", "add", OVERLAY6_A + "/64", "dev", daemon.device(), "nodad").orThrow();
        return daemon;
    }

    @Test
    void theGatewayAndItsLanReachTheInternetOnlyThroughTheDc() {
        assertEquals(0, Ping.run(net.gwA, INET, 1).received(), "without the tunnel there is no way back from " + INET);
        daemonA = startA();

        var first = Ping.until(net.gwA, INET, TUNNEL_UP);
        assertTrue(first.isPresent(), "gwA -> internet host: no reply within " + TUNNEL_UP);
        String route = net.gwA.ip("route", "get", INET).orThrow().output();
        assertTrue(route.contains("dev " + daemonA.device()) && route.contains("table " + TABLE), route);
        // The tunnel's own datagrams carry the mark and leave by the underlay's default route.
        assertTrue(socket().contains("fwmark:0xca6c"), socket());
        String underlay = net.gwA.ip("route", "get", Topology.WAN_B, "mark", Long.toString(TABLE)).orThrow().output();
        assertTrue(underlay.contains("dev wan0"), underlay);
        // The host's own more specific routes still win over the forced default (site B's LAN via the tunnel too).
        assertEquals(5, Ping.run(net.hostA, INET, 5).received(), "a VM behind gwA -> internet host");
        assertEquals(5, Ping.run(net.hostA, Topology.HOST_B, 5).received(), "hostA -> hostB");
        assertTrue(Ping.until(net.gwA, INET6, TUNNEL_UP).isPresent(), "gwA -> internet host over IPv6");
        assertEquals(10, Ping.run(net.gwA, INET, 10).received(), "the tunnel keeps working while it carries everything");

        OverlayStatus status = StatusJson.read(daemonA.cli("status", "--json").orThrow().output().strip())
                .overlays().getFirst();
        assertEquals(new OverlayStatus.Routing(TABLE, new ForcedTunnel(TABLE, TABLE, ForcedTunnel.DEFAULT_RULE_PRIORITY,
                true, true)), status.routing());
        String text = daemonA.cli("status").orThrow().output();
        assertTrue(text.contains("routing: forced tunnel IPv4+IPv6 (default route in table 51820, rules at 32000/32001),"
                + " fwmark 51820"), text);
        if (TestHost.onPath("wg")) {
            assertEquals("0xca6c", net.gwA.exec("wg", "show", daemonA.device(), "fwmark").orThrow().output().strip());
            assertFalse(net.gwA.exec("wg", "set", daemonA.device(), "fwmark", "7").ok(),
                    "a mark the forced tunnel's rules do not let past must be refused");
        }
        Summary.line("ForcedTunnelTest", "forced tunnel: gwA -> internet host through the DC, first reply after %d ms",
                first.get().toMillis());

        assertTrue(ours().length() > 0, "rules installed");
        assertTrue(daemonA.terminate().isPresent(), "site A's daemon still running after SIGTERM");
        assertEquals("", ours(), "policy routing left behind after SIGTERM");
    }

    /** SIGKILL leaves the rules behind (the table's routes go with the device); a restart replaces them, not adds. */
    @Test
    void afterSigkillARestartCleansUpAndAStopLeavesNothing() {
        daemonA = startA();
        assertTrue(Ping.until(net.gwA, INET, TUNNEL_UP).isPresent(), "tunnel not up");
        String installed = ours();
        daemonA.kill();
        assertTrue(Wait.until(Duration.ofSeconds(5), () -> !daemonA.process().isAlive()), "still alive after SIGKILL");
        assertTrue(ours().contains("lookup " + TABLE), "SIGKILL left nothing behind, so this test proves nothing:\n"
                + ours());

        daemonA.startAgain();
        net.gwA.ip("-6", "addr", "add", OVERLAY6_A + "/64", "dev", daemonA.device(), "nodad").orThrow();
        assertTrue(Ping.until(net.gwA, INET, TUNNEL_UP).isPresent(), "tunnel not up after the restart");
        assertEquals(installed, ours(), "after SIGKILL and restart: the same rules and routes, none twice");
        assertTrue(daemonA.terminate().isPresent(), "site A's daemon still running after SIGTERM");
        assertEquals("", ours(), "policy routing left behind after SIGKILL, restart and SIGTERM");
    }

    /** A reload that moves the table, then one that turns forced tunnelling off: nothing of the old one stays. */
    @Test
    void aReloadThatChangesOrEndsItLeavesNoStaleRules() {
        daemonA = startA();
        assertTrue(Ping.until(net.gwA, INET, TUNNEL_UP).isPresent(), "tunnel not up");

        daemonA.rewrite(List.of("default-route: true", "table: 1000", "fwmark: 1000"));
        String moved = daemonA.cli("reload").orThrow().output();
        assertTrue(moved.contains("routing-changed overlay=corp fwmark=1000 default-route=on table=1000"), moved);
        String rules = ours();
        assertFalse(rules.contains("lookup " + TABLE) || rules.contains("0xca6c"), rules);
        assertTrue(rules.contains("lookup 1000"), rules);
        assertTrue(Ping.until(net.gwA, INET, TUNNEL_UP).isPresent(), "no way out after moving the table");

        daemonA.rewrite(List.of());
        String off = daemonA.cli("reload").orThrow().output();
        assertTrue(off.contains("routing-changed overlay=corp fwmark=0 default-route=off"), off);
        assertEquals("", ours(), "policy routing left behind by a reload that turned it off");
        assertEquals(0, Ping.run(net.gwA, INET, 2).received(), "forced tunnelling is off, yet the DC still answers");
        assertEquals(3, Ping.run(net.hostA, Topology.HOST_B, 3).received(), "the tunnel itself runs on");
        assertFalse(socket().contains("fwmark:"), "the mark went with forced tunnelling: " + socket());

        // Without forced tunnelling, wg set changes the live socket's mark (as wireguard-go does).
        if (TestHost.onPath("wg")) {
            net.gwA.exec("wg", "set", daemonA.device(), "fwmark", "1234").orThrow();
            assertEquals("0x4d2", net.gwA.exec("wg", "show", daemonA.device(), "fwmark").orThrow().output().strip());
            assertTrue(socket().contains("fwmark:0x4d2"), socket());
            assertEquals(3, Ping.run(net.hostA, Topology.HOST_B, 3).received(), "the tunnel with its socket marked");
        }
    }

    /** The overlay's UDP socket in gwA as {@code ss -e} shows it, with its {@code fwmark:} when it has one. */
    private String socket() {
        return net.gwA.exec("ss", "-Huane", "sport", "=", ":" + Topology.LISTEN_PORT).orThrow().output().strip();
    }

    /**
     * What of the forced tunnel exists in gwA, both families: rules looking up a table of ours (51820 or 1000), the
     * suppressing rule, and the routes of those tables. Empty when nothing is left.
     */
    private String ours() {
        var found = new StringBuilder();
        for (String family : List.of("-4", "-6")) {
            for (String line : net.gwA.ip(family, "rule", "show").output().split("\n")) {
                if (line.contains("lookup " + TABLE) || line.contains("lookup 1000")
                        || line.contains("suppress_prefixlength")) {
                    found.append(family).append(" rule ").append(line.strip()).append('\n');
                }
            }
            for (String table : List.of(Long.toString(TABLE), "1000")) {
                for (String line : net.gwA.ip(family, "route", "show", "table", table).output().split("\n")) {
                    if (line.contains(" dev ")) {
                        found.append(family).append(" table ").append(table).append(' ').append(line.strip())
                                .append('\n');
                    }
                }
            }
        }
        return found.toString();
    }
}
