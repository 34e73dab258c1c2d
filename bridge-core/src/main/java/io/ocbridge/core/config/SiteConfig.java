package io.ocbridge.core.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A whole site config: its name, its private key, the overlays it takes part in, where the daemon's control socket
 * lives, its metrics endpoint ({@code null}: metrics off) and its high-availability settings ({@code null}: always
 * active).
 */
public record SiteConfig(Path source, String site, Path privateKeyFile, List<OverlayConfig> overlays,
        Path controlSocket, MetricsConfig metrics, HaConfig ha) {

    /** Where the control socket is when the config does not say: {@code /run/ocbridge/<site>.sock}. */
    public static final Path DEFAULT_CONTROL_SOCKET_DIRECTORY = Path.of("/run/ocbridge");

    public SiteConfig {
        overlays = List.copyOf(overlays);
    }

    /** A site with the default control socket, metrics off and no HA. */
    public SiteConfig(Path source, String site, Path privateKeyFile, List<OverlayConfig> overlays) {
        this(source, site, privateKeyFile, overlays, defaultControlSocket(site), null, null);
    }

    /** The same site running {@code runningOverlays} (what a reload applied). */
    public SiteConfig withOverlays(List<OverlayConfig> runningOverlays) {
        return new SiteConfig(source, site, privateKeyFile, runningOverlays, controlSocket, metrics, ha);
    }

    public static Path defaultControlSocket(String site) {
        return DEFAULT_CONTROL_SOCKET_DIRECTORY.resolve(site + ".sock");
    }
}
