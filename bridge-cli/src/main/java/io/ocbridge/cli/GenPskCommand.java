package io.ocbridge.cli;

import io.ocbridge.crypto.keys.PresharedKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ocbridge genpsk}: a new preshared key, in the format of {@code wg genpsk}. */
@Command(name = "genpsk", mixinStandardHelpOptions = true,
        description = "Generate a preshared key (base64, as `wg genpsk`) on stdout, or into a new 0600 file.")
final class GenPskCommand implements Callable<Integer> {
    @Mixin
    SecretOutput output;

    @Override
    public Integer call() {
        PresharedKey key = PresharedKey.generate();
        try {
            return output.emit(key.toBase64());
        } finally {
            key.destroy();
        }
    }
}
