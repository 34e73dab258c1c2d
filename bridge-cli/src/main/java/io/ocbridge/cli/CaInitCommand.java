package io.ocbridge.cli;

import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.crypto.pki.CertificateAuthority;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocbridge ca init}: a new Ed25519 CA key (0600) and its self-signed certificate. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a site CA in DIR: ca.key (Ed25519, PKCS#8 PEM, mode 0600) and ca.crt "
                + "(self-signed X.509). Refuses to overwrite an existing CA.")
final class CaInitCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out-dir", required = true, paramLabel = "DIR", description = "Folder for the CA (created if missing).")
    Path outDir;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The CA's name (subject CN).")
    String name;

    @Option(names = "--days", defaultValue = "3650", paramLabel = "N", description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
        if (days < 1 || name.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--days must be at least 1 and --name not empty");
        }
        CaDirectory ca = new CaDirectory(outDir);
        try {
            Files.createDirectories(outDir);
            for (Path existing : new Path[] {ca.key(), ca.certificate()}) {
                if (Files.exists(existing)) {
                    throw new FileAlreadyExistsException(existing.toString());
                }
            }
            CertificateAuthority authority = CertificateAuthority.create(name, Instant.now(), Duration.ofDays(days));
            KeyFiles.createSecret(ca.key(), authority.privateKeyPem().strip());
            CaDirectory.createPublic(ca.certificate(), authority.certificatePem());
            spec.commandLine().getOut().println("created CA \"" + name + "\": " + ca.certificate() + " (key "
                    + ca.key() + ", mode 0600; keep it offline)");
            return Main.EXIT_OK;
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("ocbridge: " + e.getFile() + ": already exists; not overwriting a CA");
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            spec.commandLine().getErr().println("ocbridge: " + outDir + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }
}
