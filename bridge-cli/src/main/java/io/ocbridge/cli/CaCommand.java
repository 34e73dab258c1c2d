package io.ocbridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ocbridge ca}: the site certificate authority. */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "Site certificate authority: signs the certificates that bind a site to its WireGuard key.",
        subcommands = {CaInitCommand.class})
final class CaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }
}
