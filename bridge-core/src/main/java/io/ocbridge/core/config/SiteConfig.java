package io.ocbridge.core.config;

import java.nio.file.Path;
import java.util.List;

/** A whole site config: its name, its private key, and the overlays it takes part in. */
public record SiteConfig(Path source, String site, Path privateKeyFile, List<OverlayConfig> overlays) {

    public SiteConfig {
        overlays = List.copyOf(overlays);
    }
}
