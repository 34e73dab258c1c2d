package io.ocbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.control.ControlServer;
import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.control.StatusJson;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.OverlayStatus.PeerStatus;
import io.ocbridge.core.overlay.OverlayStatus.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** check, status and completion through picocli's execute(), with captured stdout/stderr. */
@Timeout(30)
class OperatorCliTest {
    private static final long NOW = 1_767_225_600L;
    private static final String PEER_KEY = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static SiteStatus fixedStatus() {
        return new SiteStatus("dc-east", NOW, List.of(new OverlayStatus("corp", "ocb-corp", 51820,
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                List.of(new PeerStatus("cloud-a", PEER_KEY, "192.0.2.2:51820", List.of("10.77.0.2/32", "172.20.0.0/16"),
                                NOW - 12, 1_258_291, 3_565_158, Session.ESTABLISHED, 25),
                        new PeerStatus("cloud-b", PEER_KEY.replace('B', 'C'), null, List.of("10.77.0.3/32"), 0, 0, 0,
                                Session.NONE, 0)),
                Map.of(DropReason.NO_ROUTE, 3L), Map.of(Event.INITIATION_SENT, 2L, Event.COMPLETED, 1L), List.of(),
                new OverlayStatus.Offloads(true, false, true))));
    }

    private Path writeConfig(String extra) throws Exception {
        Path key = dir.resolve("site.key");
        if (!Files.exists(key)) {
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        }
        Path config = dir.resolve("site.yaml");
        Files.writeString(config, """
                site: dc-east
                private-key-file: site.key
                control-socket: run/dc-east.sock
                overlays:
                  - name: corp
                    device: ocb-corp
                    addresses: [10.77.0.1/24]
                    peers:
                      - name: cloud-a
                        public-key: "%s"
                        allowed-ips: [10.77.0.2/32]
                """.formatted(PEER_KEY) + extra);
        return config;
    }

    @Test
    void checkOkPrintsOneLineSummary() throws Exception {
        Path config = writeConfig("");
        CliRun run = run("check", "-c", config.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(config + ": ok: site dc-east, 1 overlay, 1 peer\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void checkNamesTheAddressAnHaGatewayFollows() throws Exception {
        Path config = writeConfig("ha:\n  follow-address: 192.0.2.10\n");
        CliRun run = run("check", "-c", config.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(config + ": ok: site dc-east, 1 overlay, 1 peer, HA following 192.0.2.10\n", run.out());
    }

    @Test
    void checkReportsEveryErrorWithPositionAndExits2() throws Exception {
        Path config = writeConfig("metrics: {listen: nowhere}\nbogus: 1\n");
        CliRun run = run("check", "-c", config.toString());
        assertEquals(2, run.exit());
        assertEquals(List.of(
                config + ":12:19: metrics.listen: must be IP-address:port, e.g. 127.0.0.1:9586, got \"nowhere\"",
                config + ":13:1: bogus: unknown key; expected one of site, private-key-file, overlays, control-socket,"
                        + " metrics, ha"), run.err().lines().toList());
        assertEquals("", run.out());
    }

    @Test
    void checkNamesTheForcedTunnel() throws Exception {
        Path config = writeConfig("").resolveSibling("site.yaml");
        Files.writeString(config, Files.readString(config).replace("    addresses: [10.77.0.1/24]\n",
                "    listen-port: 51820\n    addresses: [10.77.0.1/24]\n    default-route: true\n")
                .replace("[10.77.0.2/32]", "[10.77.0.2/32, 0.0.0.0/0]"));
        CliRun run = run("check", "-c", config.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals(config + ": ok: site dc-east, 1 overlay, 1 peer, default route via overlay corp (table 51820,"
                + " fwmark 51820)\n", run.out());
    }

    /** An endpoint the overlay routes into its own device: refused with its position, as up would refuse it. */
    @Test
    void checkRefusesAnEndpointRoutedIntoTheTunnel() throws Exception {
        Path config = writeConfig("");
        Files.writeString(config, Files.readString(config).replace("        allowed-ips: [10.77.0.2/32]\n",
                "        endpoint: 10.77.0.2:51820\n        allowed-ips: [10.77.0.2/32]\n"));
        CliRun run = run("check", "-c", config.toString());
        assertEquals(2, run.exit());
        assertEquals(List.of(config + ":11:19: overlays[0].peers[0].endpoint: endpoint 10.77.0.2 is inside 10.77.0.2/32"
                + " of peer cloud-a's allowed-ips (overlays[0].peers[0].allowed-ips[0], line 12), which is routed"
                + " through this overlay's device: the tunnel's own datagrams would be sent into the tunnel"),
                run.err().lines().toList());
    }

    @Test
    void checkRefusesAnOpenKeyFileAsUpWould() throws Exception {
        Path config = writeConfig("");
        Files.setPosixFilePermissions(dir.resolve("site.key"), PosixFilePermissions.fromString("rw-r--r--"));
        CliRun run = run("check", "-c", config.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("private-key-file: ") && run.err().contains("chmod 600"), run.err());
    }

    @Test
    void tableLooksLikeWgShow() {
        String expected = """
                site dc-east: 1 overlay
                overlay corp: device ocb-corp, listening on port 51820, public key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
                  offloads: device TSO/checksum, UDP GSO off, UDP GRO
                  handshakes: initiation_sent 2, completed 1
                  drops: no_route 3

                OVERLAY  PEER     ENDPOINT         SESSION      LATEST HANDSHAKE  TRANSFER                        ALLOWED IPS
                corp     cloud-a  192.0.2.2:51820  established  12 seconds ago    1.2 MiB received, 3.4 MiB sent  10.77.0.2/32, 172.20.0.0/16
                corp     cloud-b  (none)           none         never             0 B received, 0 B sent          10.77.0.3/32
                """;
        assertEquals(expected, StatusTable.render(fixedStatus()));
    }

    @Test
    void tableSaysWhichPeersThePkiRefusedAndWhenCertificatesEnd() {
        OverlayStatus plain = fixedStatus().overlays().getFirst();
        OverlayStatus.Pki pki = new OverlayStatus.Pki(2_082_758_400L, 1_769_817_600L, "expiring",
                new OverlayStatus.CertificateExpiry("dc-east", 1_798_761_600L, "valid"),
                List.of(new OverlayStatus.CertificateExpiry("cloud-c", 1_767_225_900L, "expired")));
        String table = StatusTable.render(new SiteStatus("dc-east", NOW, List.of(plain.withCertificates(
                List.of(new OverlayStatus.RefusedPeer("cloud-c", "certificate-expired", 1_767_225_901L)), pki))));
        assertTrue(table.contains("""
                  drops: no_route 3
                  pki: CA until 2036-01-01T00:00:00Z, CRL next update 2026-01-31T00:00:00Z (expiring), \
                own certificate until 2027-01-01T00:00:00Z, cloud-c until 2026-01-01T00:05:00Z (expired)
                  refused peer cloud-c: certificate-expired at 2026-01-01T00:05:01Z
                """), table);
    }

    @Test
    void theRoutingLineNamesTheForcedTunnelAndTheMark() {
        assertEquals("forced tunnel off, fwmark none",
                StatusTable.routing(new OverlayStatus.Routing(0, null)));
        assertEquals("forced tunnel IPv4+IPv6 (default route in table 51820, rules at 32000/32001), fwmark 51820",
                StatusTable.routing(new OverlayStatus.Routing(51820,
                        new io.ocbridge.core.route.ForcedTunnel(51820, 51820, 32_000, true, true))));
        OverlayStatus overlay = fixedStatus().overlays().get(0);
        String table = StatusTable.render(new SiteStatus("dc-east", NOW, List.of(new OverlayStatus(overlay.name(),
                overlay.device(), overlay.listenPort(), overlay.publicKey(), overlay.peers(), overlay.drops(),
                overlay.handshakes(), List.of(), overlay.offloads(), new OverlayStatus.Routing(7, null)))));
        assertTrue(table.contains("\n  offloads: device TSO/checksum, UDP GSO off, UDP GRO\n"
                + "  routing: forced tunnel off, fwmark 7\n"), table);
    }

    @Test
    void agoAndBytesRead() {
        assertEquals("1 second ago", StatusTable.ago(100, 99));
        assertEquals("1 hour, 1 minute, 5 seconds ago", StatusTable.ago(10_000, 10_000 - 3_665));
        assertEquals("2 days ago", StatusTable.ago(200_000, 200_000 - 172_800));
        assertEquals("now", StatusTable.ago(100, 101));
        assertEquals("1023 B", StatusTable.bytes(1023));
        assertEquals("1.0 KiB", StatusTable.bytes(1024));
        assertEquals("5.0 GiB", StatusTable.bytes(5L << 30));
    }

    @Test
    void statusAsksTheSocketNamedInTheConfig() throws Exception {
        Path config = writeConfig("");
        Path socket = dir.resolve("run/dc-east.sock");
        try (ControlServer server = ControlServer.start(socket, OperatorCliTest::fixedStatus, Log.with("test=cli"))) {
            CliRun json = run("status", "-c", config.toString(), "--json");
            assertEquals(0, json.exit(), json.err());
            assertEquals(StatusJson.write(fixedStatus()) + "\n", json.out());
            CliRun table = run("status", "--socket", socket.toString());
            assertEquals(0, table.exit(), table.err());
            assertEquals(StatusTable.render(fixedStatus()), table.out());
        }
    }

    @Test
    void statusWithoutDaemonSaysSoAndExits1() {
        Path socket = dir.resolve("none.sock");
        CliRun run = run("status", "--socket", socket.toString());
        assertEquals(1, run.exit());
        assertEquals("ocbridge status: is the daemon running? no socket at " + socket + "\n", run.err());
    }

    @Test
    void statusNeedsExactlyOneTarget() {
        assertEquals(2, run("status").exit());
        assertEquals(2, run("status", "-c", "a.yaml", "--socket", "b.sock").exit());
    }

    @Test
    void completionBashIsAScriptCoveringTheCommands() {
        CliRun run = run("completion", "bash");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("#!/usr/bin/env bash"), run.out().lines().findFirst().orElse(""));
        for (String command : new String[] {"up", "check", "status", "genkey", "completion"}) {
            assertTrue(run.out().contains(command), command);
        }
        assertTrue(run.out().contains("complete -F"), "registers a completion function");
        assertEquals(2, run("completion", "zsh").exit());
        assertFalse(run("completion", "bash").out().isEmpty());
    }
}
