package io.ocbridge.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference implementation on one gateway: {@code wireguard-go -f} (foreground, so its PID is ours to stop),
 * configured with {@code wg set} and {@code ip}, exactly as an operator would.
 * Its control socket lives in the shared {@code /var/run/wireguard}, hence device names unique per JVM and topology.
 */
final class WireGuardGo {
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Netns ns;
    private final String device;
    private final Background process;

    private WireGuardGo(Netns ns, String device, Background process) {
        this.ns = ns;
        this.device = device;
        this.process = process;
    }

    /** Runs wireguard-go on {@code local}'s gateway as a tunnel to {@code peer}, with address, MTU and routes set. */
    static WireGuardGo start(Lab t, Site local, String deviceSuffix, Site.Peer peer) {
        return start(t, local, deviceSuffix, List.of(peer), Topology.TUNNEL_MTU);
    }

    /**
     * As {@link #start(Lab, Site, String, Site.Peer)}, logging at {@code logLevel} ({@code verbose}, {@code error},
     * {@code silent}): under a flood, verbose writes a line per rejected packet.
     */
    static WireGuardGo start(Lab t, Site local, String deviceSuffix, Site.Peer peer, String logLevel) {
        return start(t, local, deviceSuffix, List.of(peer), Topology.TUNNEL_MTU, logLevel);
    }

    /** As above, with several peers and the device MTU {@code mtuBytes} (1600 to carry full-size VXLAN frames). */
    static WireGuardGo start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers, int mtuBytes) {
        return start(t, local, deviceSuffix, peers, mtuBytes, "verbose");
    }

    private static WireGuardGo start(Lab t, Site local, String deviceSuffix, List<Site.Peer> peers, int mtuBytes,
                                     String logLevel) {
        String device = t.deviceName(deviceSuffix);
        t.adoptSocket(device);
        var process = t.start(local.gateway(), "wireguard-go-" + local.name(),
                Map.of("LOG_LEVEL", logLevel), List.of("wireguard-go", "-f", device));
        var socket = Topology.WIREGUARD_SOCKETS.resolve(device + ".sock");
        boolean ready = Wait.until(START_TIMEOUT,
                () -> Files.exists(socket) || !process.isAlive());
        if (!ready || !process.isAlive()) {
            throw new IllegalStateException("wireguard-go did not come up: " + process + "\n" + process.logText());
        }
        var wg = new WireGuardGo(local.gateway(), device, process);
        wg.configure(t, local, peers, mtuBytes);
        return wg;
    }

    private void configure(Lab t, Site local, List<Site.Peer> peers, int mtuBytes) {
        Path key = Keys.writeSecret(t.workDir().resolve(device + ".key"), local.keys().privateKey());
        ns.exec("wg", "set", device, "private-key", key.toString(),
                "listen-port", Integer.toString(Topology.LISTEN_PORT)).orThrow();
        for (var peer : peers) {
            addPeer(peer);
        }
        ns.ip("addr", "add", local.overlayCidr(), "dev", device).orThrow();
        ns.ip("link", "set", device, "mtu", Integer.toString(mtuBytes), "up").orThrow();
        for (var peer : peers) {
            for (String route : peer.routedIps()) {
                ns.ip("route", "add", route, "dev", device).orThrow();
            }
        }
    }

    private void addPeer(Site.Peer peer) {
        var args = new ArrayList<>(List.of("wg", "set", device,
                "peer", peer.publicKey(), "allowed-ips", String.join(",", peer.allowedIps())));
        if (peer.presharedKeyFile() != null) {
            args.addAll(List.of("preshared-key", peer.presharedKeyFile().toString()));
        }
        if (peer.endpoint() != null) {
            args.addAll(List.of("endpoint", peer.endpoint()));
        }
        if (peer.persistentKeepaliveSeconds() != null) {
            args.addAll(List.of("persistent-keepalive", peer.persistentKeepaliveSeconds().toString()));
        }
        ns.exec(args.toArray(String[]::new)).orThrow();
    }

    String device() {
        return device;
    }

    Background process() {
        return process;
    }

    /** Seconds since the epoch of the latest handshake with each peer ({@code wg show latest-handshakes}); 0 = never. */
    long latestHandshakeEpochSeconds() {
        String out = ns.exec("wg", "show", device, "latest-handshakes").orThrow().output().strip();
        long latest = 0;
        for (String line : out.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length == 2) {
                latest = Math.max(latest, Long.parseLong(cols[1]));
            }
        }
        return latest;
    }

    /** {@code wg show <device>} for diagnostics (the private key is never printed by wg show). */
    String show() {
        return ns.exec("wg", "show", device).output();
    }
}
