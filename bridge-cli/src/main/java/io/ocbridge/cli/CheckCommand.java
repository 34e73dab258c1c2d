package io.ocbridge.cli;

import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.SiteConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ocbridge check -c FILE}: validates a site config exactly as {@code up} does before it starts: the loader
 * also reads every key file and decodes it with the daemon's decoder.
 */
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
        int peers = site.overlays().stream().mapToInt(o -> o.peers().size()).sum();
        spec.commandLine().getOut().println(config + ": ok: site " + site.site() + ", "
                + count(site.overlays().size(), "overlay") + ", " + count(peers, "peer")
                + (site.ha() == null ? "" : ", HA following " + site.ha().followAddress().getHostAddress())
                + site.overlays().stream().filter(o -> o.forcedTunnel() != null).map(o -> ", default route via overlay "
                        + o.name() + " (table " + o.forcedTunnel().table() + ", fwmark " + o.forcedTunnel().fwmark() + ")")
                        .findFirst().orElse(""));
        return Main.EXIT_OK;
    }

    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
