package io.ocbridge.cli;

import io.ocbridge.crypto.keys.PresharedKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocbridge genpsk}: a new preshared key, in the format of {@code wg genpsk}. */
@Command(name = "genpsk", mixinStandardHelpOptions = true,
        description = "Generate a preshared key (base64, as `wg genpsk`) on stdout, or into a new 0600 file.")
final class GenPskCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the key to FILE (created 0600; refused if it exists).")
    Path out;

    @Override
    public Integer call() {
        PresharedKey key = PresharedKey.generate();
        try {
            return SecretOutput.emit(spec, key.toBase64(), out);
        } finally {
            key.destroy();
        }
    }
}
