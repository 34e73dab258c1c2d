package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Two sites in four network namespaces; the gateways' tunnels are added by the test (ocbridge or wireguard-go).
 * <pre>
 *  hostA --lan-- gwA ==wan 192.0.2.1/24 &lt;-&gt; 192.0.2.2/24== gwB --lan-- hostB
 *  172.16.1.10/24 (gw .1)                                    172.16.2.10/24 (gw .1)
 *  overlay: gwA 10.77.0.1/24, gwB 10.77.0.2/24; ip_forward=1 in both gateways
 * </pre>
 * A {@link Lab}: {@link #close()} takes down everything it started and checks that nothing of it is left.
 */
final class Topology extends Lab {
    static final String HOST_A = "172.16.1.10";
    static final String HOST_B = "172.16.2.10";
    static final String LAN_A = "172.16.1.0/24";
    static final String LAN_B = "172.16.2.0/24";
    static final String WAN_A = "192.0.2.1";
    static final String WAN_B = "192.0.2.2";
    static final String OVERLAY_A = "10.77.0.1";
    static final String OVERLAY_B = "10.77.0.2";
    static final int OVERLAY_PREFIX = 24;
    static final int LISTEN_PORT = 51820;
    static final int TUNNEL_MTU = 1420;
    /**
     * The attacker's link ({@link #attacker}): the target gateway's side and the attacker's side of a /30, and the
     * attacker's source addresses, a /16 routed through its side (so the target keeps one neighbour entry, not one per
     * source: the kernel's ARP table is shared by every namespace on the host, 1024 entries by default).
     */
    static final String ATTACK_TARGET = "198.18.0.1";
    static final String ATTACK_NEXT_HOP = "198.18.0.2";
    static final String ATTACK_SOURCES = "198.19.0.0/16";
    static final String ATTACK_FIRST_SOURCE = "198.19.0.1";
    static final int ATTACK_MAX_SOURCES = 65_000;

    final Netns hostA;
    final Netns gwA;
    final Netns gwB;
    final Netns hostB;

    private Topology(String testName) {
        super(testName);
        try {
            hostA = namespace("hA");
            gwA = namespace("gA");
            gwB = namespace("gB");
            hostB = namespace("hB");
            wire();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Builds the four namespaces and their wiring; logs go to {@code target/it-logs/<testName>/}. */
    static Topology create(String testName) {
        return new Topology(testName);
    }

    /**
     * A fifth namespace {@code x} wired to {@code target} (a gateway) by its own veth, with {@code sources} consecutive
     * addresses from {@link #ATTACK_FIRST_SOURCE} on its loopback (inside its namespace only), routed by the gateway
     * through {@link #ATTACK_NEXT_HOP}: hostile underlay traffic from many sources at the gateway's port.
     */
    Netns attacker(Netns target, int sources) {
        if (sources < 1 || sources > ATTACK_MAX_SOURCES) {
            throw new IllegalArgumentException("sources: " + sources);
        }
        var x = namespace("x");
        target.addVeth("atk0", x, "eth0");
        target.ip("addr", "add", ATTACK_TARGET + "/30", "dev", "atk0").orThrow();
        target.ip("link", "set", "atk0", "up").orThrow();
        x.ip("addr", "add", ATTACK_NEXT_HOP + "/30", "dev", "eth0").orThrow();
        x.ip("link", "set", "eth0", "up").orThrow();
        target.ip("route", "add", ATTACK_SOURCES, "via", ATTACK_NEXT_HOP, "dev", "atk0").orThrow();
        var batch = new StringBuilder();
        try {
            for (var address : UnderlayFlood.addresses(InetAddress.getByName(ATTACK_FIRST_SOURCE), sources)) {
                batch.append("addr add ").append(address.getHostAddress()).append("/32 dev lo\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cmd.run(Duration.ofSeconds(60), batch.toString(), List.of("ip", "-n", x.name(), "-batch", "-")).orThrow();
        return x;
    }

    private void wire() {
        // Each veth is created inside a namespace with its peer placed straight into the other: nothing in the root netns.
        lan(hostA, gwA, HOST_A, "172.16.1.1");
        lan(hostB, gwB, HOST_B, "172.16.2.1");
        gwA.addVeth("wan0", gwB, "wan0");
        gwA.ip("addr", "add", WAN_A + "/24", "dev", "wan0").orThrow();
        gwB.ip("addr", "add", WAN_B + "/24", "dev", "wan0").orThrow();
        gwA.ip("link", "set", "wan0", "up").orThrow();
        gwB.ip("link", "set", "wan0", "up").orThrow();
        gwA.sysctl("net.ipv4.ip_forward", "1");
        gwB.sysctl("net.ipv4.ip_forward", "1");
    }

    private static void lan(Netns host, Netns gw, String hostAddress, String gwAddress) {
        gw.addVeth("lan0", host, "eth0");
        gw.ip("addr", "add", gwAddress + "/24", "dev", "lan0").orThrow();
        gw.ip("link", "set", "lan0", "up").orThrow();
        host.ip("addr", "add", hostAddress + "/24", "dev", "eth0").orThrow();
        host.ip("link", "set", "eth0", "up").orThrow();
        host.ip("route", "add", "default", "via", gwAddress).orThrow();
    }
}
