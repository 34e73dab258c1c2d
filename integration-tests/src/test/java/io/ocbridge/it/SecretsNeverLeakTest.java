package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #6, key hygiene: three sites with preshared keys, daemons at {@code --log-level debug}, traffic between A and
 * B, a third site C whose PSK is wrong (its handshakes fail), then every text an operator or a local user can get —
 * {@code status} (table and JSON) of A and C, A's metrics, {@code check} (passing and refusing a world-readable PSK),
 * {@code wg show} as root and as an unprivileged user, and the daemons' whole logs — is searched for the three
 * private keys and three PSKs, in base64 and hex. None may appear. (Root's {@code wg show DEV private-key} does
 * print the key, as with wireguard-go; that is not searched.)
 * <pre>
 *  gwC 198.51.100.2 --wan1-- gwA 198.51.100.1 (plus the {@link Topology}: hostA - gwA == gwB - hostB)
 *  overlay: A 10.77.0.1, B 10.77.0.2, C 10.77.0.3
 * </pre>
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(180)
class SecretsNeverLeakTest extends LabTest<Topology> {
    static final int METRICS_PORT = 9586;
    static final String WAN_C_A = "198.51.100.1";
    static final String WAN_C = "198.51.100.2";

    @Test
    void noPrivateKeyOrPskInStatusMetricsCheckWgOrLogs(TestInfo test) throws IOException {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(),
                "status, metrics and logs are ocbridge's own");
        net = Topology.create(getClass().getSimpleName());
        Netns gwC = net.namespace("gC");
        net.gwA.ip("link", "add", "wan1", "type", "veth", "peer", "name", "wan0", "netns", gwC.name()).orThrow();
        net.gwA.ip("addr", "add", WAN_C_A + "/24", "dev", "wan1").orThrow();
        gwC.ip("addr", "add", WAN_C + "/24", "dev", "wan0").orThrow();
        net.gwA.ip("link", "set", "wan1", "up").orThrow();
        gwC.ip("link", "set", "wan0", "up").orThrow();

        Keys.Pair keysA = Keys.generate();
        Keys.Pair keysB = Keys.generate();
        Keys.Pair keysC = Keys.generate();
        String pskAB = Keys.presharedKey();
        String pskAC = Keys.presharedKey();
        String pskWrong = Keys.presharedKey();
        Path work = net.workDir();
        Path pskAbFile = Keys.writeSecret(work.resolve("ab.psk"), pskAB);
        Path pskAcFile = Keys.writeSecret(work.resolve("ac.psk"), pskAC);
        Path pskWrongFile = Keys.writeSecret(work.resolve("wrong.psk"), pskWrong);

        var a = Site.a(net, keysA);
        var b = Site.b(net, keysB);
        var c = new Site("site-c", gwC, WAN_C, "10.77.0.3", "172.16.3.0/24", keysC);
        String devA = net.deviceName("a");
        String devB = net.deviceName("b");
        String devC = net.deviceName("c");
        List.of(devA, devB, devC).forEach(net::adoptSocket);

        Path configA = SiteConfig.write(work.resolve("site-a"), a, devA, List.of(
                b.asPeer().withEndpoint(b.endpoint()).withPresharedKeyFile(pskAbFile),
                c.asPeer().withPresharedKeyFile(pskAcFile)), List.of());
        Files.writeString(configA, "metrics:\n  listen: 127.0.0.1:" + METRICS_PORT + "\n", StandardOpenOption.APPEND);
        Path configB = SiteConfig.write(work.resolve("site-b"), b, devB,
                List.of(a.asPeer().withEndpoint(a.endpoint()).withPresharedKeyFile(pskAbFile)), List.of());
        var aForC = new Site.Peer("site-a", keysA.publicKey(), List.of(Topology.OVERLAY_A + "/32"),
                WAN_C_A + ":" + Topology.LISTEN_PORT, pskWrongFile, null);
        Path configC = SiteConfig.write(work.resolve("site-c"), c, devC, List.of(aForC), List.of());

        Background daemonA = startDebug(net.gwA, "ocbridge-site-a", configA);
        Background daemonB = startDebug(net.gwB, "ocbridge-site-b", configB);
        Background daemonC = startDebug(gwC, "ocbridge-site-c", configC);

        Map<String, String> seen = new LinkedHashMap<>();

        // Traffic A <-> B; C's handshakes with A fail on the PSK.
        assertTrue(Ping.until(net.hostA, Topology.HOST_B, Duration.ofSeconds(10)).isPresent(), "tunnel A-B not up");
        assertEquals(5, Ping.run(net.hostA, Topology.HOST_B, 5).received());
        assertTrue(Ping.until(gwC, Topology.OVERLAY_A, Duration.ofSeconds(8)).isEmpty(),
                "site C got through with the wrong preshared key");

        // status, table and JSON, on A (one good peer, one failing) and on C (failing).
        seen.put("status A", status(net.gwA, configA).orThrow().output());
        seen.put("status --json A", status(net.gwA, configA, "--json").orThrow().output());
        seen.put("status C", status(gwC, configC).orThrow().output());
        seen.put("status --json C", status(gwC, configC, "--json").orThrow().output());

        // metrics, unauthenticated on the namespace's loopback
        String metrics = net.gwA.exec("curl", "-sf", "--max-time", "5",
                "http://127.0.0.1:" + METRICS_PORT + "/metrics").orThrow().output();
        assertTrue(metrics.contains("ocbridge_"), "no ocbridge metrics");
        seen.put("metrics A", metrics);

        // check: passing, and refusing a PSK file others can read (the message names the file, not its content)
        Cmd.Result check = Cmd.run(OcbridgeDaemon.launcher().toString(), "check", "-c", configA.toString());
        assertEquals(0, check.exitCode(), check.output());
        seen.put("check ok", check.output());
        Path loose = configA.resolveSibling("psk-site-b");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        Cmd.Result refused = Cmd.run(OcbridgeDaemon.launcher().toString(), "check", "-c", configA.toString());
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-------"));
        assertEquals(2, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("mode 0644"), refused.output());
        seen.put("check world-readable psk", refused.output());

        // wg show: root sees "(hidden)" for the private key and no PSK; an unprivileged user cannot open the UAPI.
        if (TestHost.onPath("wg")) {
            String show = net.gwA.exec("wg", "show", devA).orThrow().output();
            assertTrue(show.contains("private key: (hidden)"), show);
            assertTrue(show.contains("preshared key: (hidden)"), show);
            seen.put("wg show (root)", show);
            if (TestHost.onPath("runuser")) {
                Cmd.Result user = net.gwA.exec("runuser", "-u", "nobody", "--", "wg", "show", devA);
                assertNotEquals(0, user.exitCode(), "an unprivileged user read the UAPI socket: " + user.output());
                seen.put("wg show (nobody)", user.output());
                Cmd.Result userKey = net.gwA.exec("runuser", "-u", "nobody", "--", "wg", "show", devA, "private-key");
                assertNotEquals(0, userKey.exitCode(), "an unprivileged user read the private key");
                seen.put("wg show private-key (nobody)", userKey.output());
            }
        }

        // logs, at debug, including shutdown
        for (Background daemon : List.of(daemonA, daemonB, daemonC)) {
            assertTrue(daemon.isAlive(), daemon + " died:\n" + String.join("\n", daemon.tail(40)));
            assertTrue(daemon.terminate(Background.STOP_GRACE).isPresent(), daemon + " did not stop");
            String log = Files.readString(daemon.log());
            assertFalse(log.isBlank(), "empty log " + daemon.log());
            seen.put("log " + daemon.label(), log);
        }

        assertTrue(seen.get("log ocbridge-site-c").contains("handshake-failed"), "site C's handshake did not fail");
        List<String> secrets = List.of(keysA.privateKey(), keysB.privateKey(), keysC.privateKey(),
                pskAB, pskAC, pskWrong);
        int bytes = 0;
        for (var entry : seen.entrySet()) {
            assertNoSecret(entry.getKey(), entry.getValue(), secrets);
            bytes += entry.getValue().length();
        }
        System.out.println("[ocbridge] secrets: " + secrets.size() + " keys (base64 and hex) searched in "
                + seen.size() + " outputs, " + bytes + " characters: none found");
    }

    private Background startDebug(Netns ns, String label, Path config) {
        Background daemon = net.start(ns, label, List.of(OcbridgeDaemon.launcher().toString(), "up", "-c",
                config.toString(), "--log-level", "debug"));
        boolean ready = Wait.until(OcbridgeDaemon.READY_TIMEOUT, () -> !daemon.isAlive() || status(ns, config).ok());
        assertTrue(daemon.isAlive() && ready, label + " did not answer status within " + OcbridgeDaemon.READY_TIMEOUT
                + ":\n" + String.join("\n", daemon.tail(40)));
        return daemon;
    }

    private static Cmd.Result status(Netns ns, Path config, String... args) {
        var argv = new ArrayList<>(List.of(OcbridgeDaemon.launcher().toString(), "status", "--socket",
                config.resolveSibling("control.sock").toString()));
        argv.addAll(List.of(args));
        return ns.exec(Duration.ofSeconds(20), argv.toArray(String[]::new));
    }

    private static void assertNoSecret(String what, String text, List<String> secrets) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String secret : secrets) {
            String hex = HexFormat.of().formatHex(Base64.getDecoder().decode(secret));
            assertFalse(text.contains(secret), what + " shows a private or preshared key (base64)");
            assertFalse(lower.contains(hex), what + " shows a private or preshared key (hex)");
        }
    }
}
