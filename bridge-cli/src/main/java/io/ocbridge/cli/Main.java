package io.ocbridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ocbridge} command: one subcommand class each. Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid input. */
@Command(name = "ocbridge",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Hybrid-cloud network bridge: WireGuard-compatible encrypted overlays between sites.",
        subcommands = {
            UpCommand.class,
            CheckCommand.class,
            StatusCommand.class,
            ReloadCommand.class,
            GenKeyCommand.class,
            PubKeyCommand.class,
            GenPskCommand.class,
            CaCommand.class,
            CertCommand.class,
            VersionCommand.class,
            CompletionCommand.class,
            io.ocbridge.cli.demo.DemoCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    /** The exit codes, as picocli's own ExitCode has them (the demo uses those). */
    public static final int EXIT_OK = CommandLine.ExitCode.OK;
    public static final int EXIT_FAILURE = CommandLine.ExitCode.SOFTWARE;
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExitCodeExceptionMapper(e -> EXIT_FAILURE)
                .setParameterExceptionHandler((ex, args) -> {
                    ex.getCommandLine().getErr().println("ocbridge: " + ex.getMessage());
                    ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                            + " --help' for more information.");
                    return EXIT_USAGE;
                });
    }

    public static void main(String[] args) {
        // Before any Netty class: its loggers pick their factory once, when first created.
        io.ocbridge.core.log.NettyLog.install();
        System.exit(commandLine().execute(args));
    }
}
