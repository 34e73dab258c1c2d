package io.ocbridge.cli;

import io.ocbridge.core.config.KeyFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Mixin of the key generators ({@code genkey}, {@code genpsk}): the {@code -o/--out} option, and writing the generated
 * secret to stdout or to a new file created 0600.
 */
final class SecretOutput {
    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the key to FILE (created 0600; refused if it exists).")
    Path out;

    /** Writes {@code secret} where the user asked; returns the exit code. */
    int emit(String secret) {
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
