package io.ocbridge.cli;

import io.ocbridge.crypto.pki.CertificateAuthority;
import io.ocbridge.crypto.pki.CertificateVerifier;
import io.ocbridge.crypto.pki.PkiException;
import io.ocbridge.crypto.pki.Verdict;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocbridge cert revoke}: adds certificates to the CA's revocation list, re-signed with a new next update. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Revoke site certificates (by --serial or by file) in DIR/revoked.crl, a CRL signed by the CA. "
                + "With neither, re-signs the list with a new next update. Daemons refuse revoked certificates "
                + "at start and reload, and refuse all certificates once the list's next update has passed.")
final class CertRevokeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "The CA folder (from ca init).")
    Path caDir;

    @Option(names = "--serial", paramLabel = "HEX", description = "Serial number to revoke, in hex (as cert verify prints it).")
    List<String> serials = new ArrayList<>();

    @Option(names = "--next-update-days", defaultValue = "30", paramLabel = "N",
            description = "Days until the list must be re-signed (default ${DEFAULT-VALUE}).")
    int nextUpdateDays;

    @Parameters(arity = "0..*", paramLabel = "CERT", description = "Certificates to revoke.")
    List<Path> certificates = new ArrayList<>();

    @Override
    public Integer call() {
        if (nextUpdateDays < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--next-update-days must be at least 1");
        }
        Set<BigInteger> revoke = new java.util.LinkedHashSet<>();
        for (String serial : serials) {
            try {
                revoke.add(new BigInteger(serial.replace(":", "").replaceFirst("^0[xX]", ""), 16));
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--serial: not hex: \"" + serial + "\"");
            }
        }
        CaDirectory dir = new CaDirectory(caDir);
        Instant now = Instant.now();
        try {
            CertificateAuthority ca = dir.load();
            CertificateVerifier ours = CertificateVerifier.of(ca.certificatePem(), null);
            for (Path file : certificates) {
                Verdict verdict = ours.verify(Files.readString(file), now);
                boolean issuedHere = verdict.certificate() != null && verdict.reason() != Verdict.Reason.UNTRUSTED_ISSUER
                        && verdict.reason() != Verdict.Reason.BAD_SIGNATURE;
                if (!issuedHere) {
                    spec.commandLine().getErr().println("ocbridge: " + file + ": not issued by this CA: " + verdict.message());
                    return Main.EXIT_USAGE;
                }
                revoke.add(verdict.certificate().serial());
            }
            String previous = Files.exists(dir.crl()) ? Files.readString(dir.crl()) : null;
            String crl = ca.revocationList(previous, revoke, now, now.plus(Duration.ofDays(nextUpdateDays)));
            CaDirectory.replacePublic(dir.crl(), crl);
            for (BigInteger serial : revoke) {
                spec.commandLine().getOut().println("revoked serial " + serial.toString(16));
            }
            spec.commandLine().getOut().println(dir.crl() + ": signed; next update "
                    + now.plus(Duration.ofDays(nextUpdateDays)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + "; copy it to every site's crl: file and run ocbridge reload there");
            return Main.EXIT_OK;
        } catch (IOException | PkiException e) {
            spec.commandLine().getErr().println("ocbridge: " + caDir + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }
}
