package io.ocbridge.cli;

import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.control.ControlClient;
import io.ocbridge.core.control.StatusJson;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocbridge status}: asks a running daemon over its control socket, prints a table or the JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a running daemon's overlays and peers (handshakes, transfer, drops), like `wg show`.")
final class StatusCommand implements Callable<Integer> {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class Target {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Site config: use its control-socket.")
        Path config;

        @Option(names = "--socket", paramLabel = "PATH", description = "The daemon's control socket.")
        Path socket;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--json", description = "Print the status document (schema 1) as the daemon sent it.")
    boolean json;

    @Override
    public Integer call() {
        Path socket = target.socket;
        if (socket == null) {
            try {
                socket = ConfigLoader.load(target.config).controlSocket();
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return Main.EXIT_USAGE;
            }
        }
        String response;
        try {
            response = ControlClient.request(socket, "status", TIMEOUT);
        } catch (IOException e) {
            spec.commandLine().getErr().println("ocbridge status: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (response.startsWith("error: ")) {
            spec.commandLine().getErr().println("ocbridge status: daemon says " + response.substring(7).strip());
            return Main.EXIT_FAILURE;
        }
        if (json) {
            spec.commandLine().getOut().println(response);
            return Main.EXIT_OK;
        }
        try {
            spec.commandLine().getOut().print(StatusTable.render(StatusJson.read(response)));
            spec.commandLine().getOut().flush();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("ocbridge status: unreadable answer from " + socket + ": "
                    + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        return Main.EXIT_OK;
    }
}
