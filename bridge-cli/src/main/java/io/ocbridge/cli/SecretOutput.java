package io.ocbridge.cli;

import io.ocbridge.core.config.KeyFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import picocli.CommandLine;

/** Writes a generated secret to stdout or to a new file created 0600. */
final class SecretOutput {
    private SecretOutput() {}

    static int emit(CommandLine.Model.CommandSpec spec, String secret, Path out) {
        if (out == null) {
            spec.commandLine().getOut().println(secret);
            spec.commandLine().getOut().flush();
            return Main.EXIT_OK;
        }
        try {
            KeyFiles.createSecret(out, secret);
            return Main.EXIT_OK;
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("ocbridge: " + out + ": already exists; not overwriting a key");
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            spec.commandLine().getErr().println("ocbridge: " + out + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }
}
