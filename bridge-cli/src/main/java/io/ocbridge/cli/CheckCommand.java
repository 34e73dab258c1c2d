package io.ocbridge.cli;

import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocbridge check -c FILE}: validates a site config, and reads its key files as {@code up} would. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a site config and its key files without starting anything. "
                + "Prints every error as FILE:LINE:COL: field: message and exits 2, or a one-line summary and exits 0.")
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Site config (YAML).")
    Path config;

    @Override
    public Integer call() {
        SiteConfig site;
        try {
            site = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        String keyProblem = keyProblem(site);
        if (keyProblem != null) {
            spec.commandLine().getErr().println(config + ": " + keyProblem);
            return Main.EXIT_USAGE;
        }
        int peers = site.overlays().stream().mapToInt(o -> o.peers().size()).sum();
        spec.commandLine().getOut().println(config + ": ok: site " + site.site() + ", "
                + count(site.overlays().size(), "overlay") + ", " + count(peers, "peer"));
        return Main.EXIT_OK;
    }

    /** Decodes each key file exactly as the daemon will; the keys are destroyed at once. */
    private static String keyProblem(SiteConfig site) {
        try {
            PrivateKey.fromBase64(KeyFiles.readSecret(site.privateKeyFile())).destroy();
        } catch (IOException | KeyFormatException e) {
            return "private-key-file: " + e.getMessage();
        }
        for (OverlayConfig overlay : site.overlays()) {
            for (PeerConfig peer : overlay.peers()) {
                if (peer.presharedKeyFile() == null) {
                    continue;
                }
                try {
                    PresharedKey.fromBase64(KeyFiles.readSecret(peer.presharedKeyFile())).destroy();
                } catch (IOException | KeyFormatException e) {
                    return "overlay " + overlay.name() + " peer " + peer.name() + ": preshared-key-file: "
                            + e.getMessage();
                }
            }
        }
        return null;
    }

    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
