package io.ocbridge.cli;

import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PrivateKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ocbridge pubkey}: private key on stdin, public key on stdout, like {@code wg pubkey}. */
@Command(name = "pubkey", mixinStandardHelpOptions = true,
        description = "Read a private key on stdin and print its public key (as `wg pubkey`).")
final class PubKeyCommand implements Callable<Integer> {
    /** A key is 44 characters; anything much longer is not a key. */
    private static final int MAX_INPUT_BYTES = 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String text;
        try {
            text = readBounded(System.in);  // read at call time: tests replace System.in
        } catch (IOException e) {
            spec.commandLine().getErr().println("ocbridge pubkey: cannot read stdin: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (text == null) {
            spec.commandLine().getErr().println("ocbridge pubkey: input too long to be a key");
            return Main.EXIT_USAGE;
        }
        try {
            PrivateKey key = PrivateKey.fromBase64(text.trim());
            spec.commandLine().getOut().println(key.publicKey().toBase64());
            spec.commandLine().getOut().flush();
            key.destroy();
            return Main.EXIT_OK;
        } catch (KeyFormatException e) {
            spec.commandLine().getErr().println("ocbridge pubkey: invalid private key on stdin: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }

    private static String readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[256];
        int n;
        while ((n = in.read(chunk)) > 0) {
            buffer.write(chunk, 0, n);
            if (buffer.size() > MAX_INPUT_BYTES) {
                return null;
            }
        }
        return buffer.toString(StandardCharsets.US_ASCII);
    }
}
