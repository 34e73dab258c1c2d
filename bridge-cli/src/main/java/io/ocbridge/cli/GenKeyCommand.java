package io.ocbridge.cli;

import io.ocbridge.crypto.keys.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ocbridge genkey}: a new private key, in the format of {@code wg genkey}. */
@Command(name = "genkey", mixinStandardHelpOptions = true,
        description = "Generate a private key (base64, as `wg genkey`) on stdout, or into a new 0600 file.")
final class GenKeyCommand implements Callable<Integer> {
    @Mixin
    SecretOutput output;

    @Override
    public Integer call() {
        PrivateKey key = PrivateKey.generate();
        try {
            return output.emit(key.toBase64());
        } finally {
            key.destroy();
        }
    }
}
