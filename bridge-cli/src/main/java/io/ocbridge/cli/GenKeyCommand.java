package io.ocbridge.cli;

import io.ocbridge.crypto.keys.PrivateKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocbridge genkey}: a new private key, in the format of {@code wg genkey}. */
@Command(name = "genkey", mixinStandardHelpOptions = true,
        description = "Generate a private key (base64, as `wg genkey`) on stdout, or into a new 0600 file.")
final class GenKeyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write the key to FILE (created 0600; refused if it exists).")
    Path out;

    @Override
    public Integer call() {
        PrivateKey key = PrivateKey.generate();
        try {
            return SecretOutput.emit(spec, key.toBase64(), out);
        } finally {
            key.destroy();
        }
    }
}
