package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an ocbridge site config (one L3 overlay, one peer) into its own folder, with the key files beside it,
 * referenced relative to the yaml's folder as the daemon expects. Secrets are files with mode 0600, never yaml values.
 */
final class SiteConfig {
    static final String OVERLAY = "corp";

    private SiteConfig() {}

    /** Writes {@code <dir>/site.yaml} and {@code <dir>/private.key}; a peer's PSK file is copied in as {@code psk}. */
    static Path write(Path dir, Site local, String device, Site.Peer peer) {
        Keys.writeSecret(dir.resolve("private.key"), local.keys().privateKey());
        var yaml = new StringBuilder()
                .append("site: ").append(local.name()).append('\n')
                .append("private-key-file: private.key\n")
                .append("overlays:\n")
                .append("  - name: ").append(OVERLAY).append('\n')
                .append("    device: ").append(device).append('\n')
                .append("    listen-port: ").append(Topology.LISTEN_PORT).append('\n')
                .append("    addresses: [").append(local.overlayCidr()).append("]\n")
                .append("    mtu: ").append(Topology.TUNNEL_MTU).append('\n')
                .append("    peers:\n")
                .append("      - name: ").append(peer.name()).append('\n')
                .append("        public-key: \"").append(peer.publicKey()).append("\"\n");
        try {
            if (peer.presharedKeyFile() != null) {
                Keys.writeSecret(dir.resolve("psk"), Files.readString(peer.presharedKeyFile()).strip());
                yaml.append("        preshared-key-file: psk\n");
            }
            if (peer.endpoint() != null) {
                yaml.append("        endpoint: \"").append(peer.endpoint()).append("\"\n");
            }
            yaml.append("        allowed-ips: [").append(String.join(", ", peer.allowedIps())).append("]\n");
            if (peer.persistentKeepaliveSeconds() != null) {
                yaml.append("        persistent-keepalive: ").append(peer.persistentKeepaliveSeconds()).append('\n');
            }
            Path file = dir.resolve("site.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
