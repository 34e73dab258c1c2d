package io.ocbridge.cli;

import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.control.ControlClient;
import io.ocbridge.core.control.ReloadReply;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/**
 * {@code ocbridge reload}: asks a running daemon to re-read its config file and apply the difference. Exit 0 when it
 * did (what changed is printed), 2 when the daemon refused an invalid config (the errors are printed, the daemon keeps
 * running as it was), 1 when no daemon answered or the change could not be applied.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make a running daemon re-read its config and apply the changes live (like SIGHUP).")
final class ReloadCommand implements Callable<Integer> {
    /** A reload may start overlays: TUN devices, addresses and routes. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    StatusCommand.Target target;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path socket = target.socket;
        if (socket == null) {
            try {
                socket = ConfigLoader.load(target.config).controlSocket();
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return Main.EXIT_USAGE;
            }
        }
        String response;
        try {
            response = ControlClient.request(socket, "reload", TIMEOUT);
        } catch (IOException e) {
            err.println("ocbridge reload: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (response.startsWith("error: ")) {
            err.println("ocbridge reload: daemon says " + response.substring(7).strip());
            return Main.EXIT_FAILURE;
        }
        ReloadReply reply;
        try {
            reply = ReloadReply.parse(response);
        } catch (IllegalArgumentException e) {
            err.println("ocbridge reload: unreadable answer from " + socket + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        switch (reply.outcome()) {
            case OK -> {
                out.println(reply.lines().isEmpty() ? "reloaded: no changes" : "reloaded:");
                reply.lines().forEach(line -> out.println("  " + line));
                out.flush();
                return Main.EXIT_OK;
            }
            case INVALID -> {
                reply.lines().forEach(err::println);
                err.println("ocbridge reload: config refused (" + reply.lines().size()
                        + " errors); the daemon keeps running with its current config");
                return Main.EXIT_USAGE;
            }
            default -> {
                reply.lines().forEach(err::println);
                err.println("ocbridge reload: not fully applied");
                return Main.EXIT_FAILURE;
            }
        }
    }
}
