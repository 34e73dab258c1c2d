package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes an ocbridge site config (one overlay, its peers, its L2 segments) into its own folder, with the key files
 * beside it, referenced relative to the yaml's folder as the daemon expects. Secrets are files with mode 0600, never
 * yaml values.
 */
final class SiteConfig {
    static final String OVERLAY = "corp";

    /**
     * One L2 segment of the overlay (issue #3): an Ethernet segment carried as VXLAN between the overlay addresses.
     * @param device the TAP device the daemon creates
     * @param bridge an existing bridge in the gateway's namespace to enslave the TAP into, or null for none
     * @param peers names of the overlay's peers that carry the segment, or null for all of them
     * @param mssClamp {@code auto}, {@code off} or a number, or null for the daemon's default
     * @param options  further {@code key: value} lines of the segment (safeguards, relay), written as given
     */
    record Segment(String name, int vni, String device, String bridge, List<String> peers, String mssClamp,
                   List<String> options) {
        Segment(String name, int vni, String device, String bridge, List<String> peers, String mssClamp) {
            this(name, vni, device, bridge, peers, mssClamp, List.of());
        }

        static Segment bridged(String name, int vni, String device, String bridge) {
            return new Segment(name, vni, device, bridge, null, null);
        }

        /** This segment with one more {@code key: value} line. */
        Segment with(String option) {
            var more = new java.util.ArrayList<>(options);
            more.add(option);
            return new Segment(name, vni, device, bridge, peers, mssClamp, List.copyOf(more));
        }
    }

    /**
     * Site PKI for the overlay: {@code ca} (and {@code crl}, or null) are copied beside the yaml; a peer named in
     * {@code certificates} gets {@code certificate:} (its file copied in as {@code <peer>.crt}) instead of
     * {@code public-key}/{@code allowed-ips}.
     */
    record Pki(Path ca, Path crl, java.util.Map<String, Path> certificates) {
        static final Pki NONE = new Pki(null, null, java.util.Map.of());
    }

    private SiteConfig() {}

    /** Writes {@code <dir>/site.yaml} and {@code <dir>/private.key}; a peer's PSK file is copied in as {@code psk}. */
    static Path write(Path dir, Site local, String device, Site.Peer peer) {
        return write(dir, local, device, List.of(peer), List.of());
    }

    /** As above, with several peers (their PSK files copied in as {@code psk-<peer>}) and L2 segments. */
    static Path write(Path dir, Site local, String device, List<Site.Peer> peers, List<Segment> segments) {
        return write(dir, local, device, peers, segments, Pki.NONE);
    }

    /** As above, with site certificates for some or all peers. */
    static Path write(Path dir, Site local, String device, List<Site.Peer> peers, List<Segment> segments, Pki pki) {
        return write(dir, local, device, peers, segments, pki, List.of());
    }

    /** As above, with site-level {@code siteLines} (e.g. {@code ha:} and its keys, indented as YAML wants them). */
    static Path write(Path dir, Site local, String device, List<Site.Peer> peers, List<Segment> segments, Pki pki,
            List<String> siteLines) {
        return write(dir, local, device, peers, segments, pki, siteLines, List.of());
    }

    /** As above, with {@code key: value} lines of the overlay (e.g. {@code default-route: true}), written as given. */
    static Path write(Path dir, Site local, String device, List<Site.Peer> peers, List<Segment> segments, Pki pki,
            List<String> siteLines, List<String> overlayLines) {
        Keys.writeSecret(dir.resolve("private.key"), local.keys().privateKey());
        var yaml = new StringBuilder()
                .append("site: ").append(local.name()).append('\n')
                .append("private-key-file: private.key\n")
                .append("control-socket: control.sock\n");   // beside the yaml, in the test's work dir
        siteLines.forEach(line -> yaml.append(line).append('\n'));
        yaml.append("overlays:\n")
                .append("  - name: ").append(OVERLAY).append('\n')
                .append("    device: ").append(device).append('\n')
                .append("    listen-port: ").append(Topology.LISTEN_PORT).append('\n')
                .append("    addresses: [").append(local.overlayCidr()).append("]\n")
                .append("    mtu: ").append(Topology.TUNNEL_MTU).append('\n');
        overlayLines.forEach(line -> yaml.append("    ").append(line).append('\n'));
        try {
            if (pki.ca() != null) {
                Files.copy(pki.ca(), dir.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                yaml.append("    ca: ca.crt\n");
            }
            if (pki.crl() != null) {
                Files.copy(pki.crl(), dir.resolve("revoked.crl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                yaml.append("    crl: revoked.crl\n");
            }
            yaml.append("    peers:\n");
            for (var peer : peers) {
                appendPeer(dir, yaml, peer, peers.size() == 1 ? "psk" : "psk-" + peer.name(),
                        pki.certificates().get(peer.name()));
            }
            if (!segments.isEmpty()) {
                yaml.append("    segments:\n");
                segments.forEach(segment -> appendSegment(yaml, segment));
            }
            Path file = dir.resolve("site.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void appendPeer(Path dir, StringBuilder yaml, Site.Peer peer, String pskFile, Path certificate)
            throws IOException {
        yaml.append("      - name: ").append(peer.name()).append('\n');
        if (certificate == null) {
            yaml.append("        public-key: \"").append(peer.publicKey()).append("\"\n");
        } else {
            Files.copy(certificate, dir.resolve(peer.name() + ".crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            yaml.append("        certificate: ").append(peer.name()).append(".crt\n");
        }
        if (peer.presharedKeyFile() != null) {
            Keys.writeSecret(dir.resolve(pskFile), Files.readString(peer.presharedKeyFile()).strip());
            yaml.append("        preshared-key-file: ").append(pskFile).append('\n');
        }
        if (peer.endpoint() != null) {
            yaml.append("        endpoint: \"").append(peer.endpoint()).append("\"\n");
        }
        if (certificate == null) {
            // Quoted: a plain ::/0 is no YAML scalar in a flow list.
            yaml.append("        allowed-ips: [").append(String.join(", ",
                    peer.allowedIps().stream().map(ip -> "\"" + ip + "\"").toList())).append("]\n");
        }
        if (peer.persistentKeepaliveSeconds() != null) {
            yaml.append("        persistent-keepalive: ").append(peer.persistentKeepaliveSeconds()).append('\n');
        }
    }

    private static void appendSegment(StringBuilder yaml, Segment segment) {
        yaml.append("      - name: ").append(segment.name()).append('\n')
                .append("        vni: ").append(segment.vni()).append('\n')
                .append("        device: ").append(segment.device()).append('\n');
        if (segment.bridge() != null) {
            yaml.append("        bridge: ").append(segment.bridge()).append('\n');
        }
        if (segment.peers() != null) {
            yaml.append("        peers: [").append(String.join(", ", segment.peers())).append("]\n");
        }
        if (segment.mssClamp() != null) {
            yaml.append("        mss-clamp: ").append(segment.mssClamp()).append('\n');
        }
        for (String option : segment.options()) {
            yaml.append("        ").append(option).append('\n');
        }
    }
}
