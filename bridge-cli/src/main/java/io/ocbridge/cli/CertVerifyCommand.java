package io.ocbridge.cli;

import io.ocbridge.crypto.pki.CertificateVerifier;
import io.ocbridge.crypto.pki.PkiException;
import io.ocbridge.crypto.pki.SiteCertificate;
import io.ocbridge.crypto.pki.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ocbridge cert verify}: what each certificate says, and whether the CA (and CRL) vouch for it now. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check site certificates against a CA certificate and optional CRL: prints what each binds "
                + "and `ok` or why not. Exit 0 if all are ok, 1 if any is not, 2 if the CA or CRL cannot be used.")
final class CertVerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca", required = true, paramLabel = "FILE", description = "The CA certificate (ca.crt).")
    Path ca;

    @Option(names = "--crl", paramLabel = "FILE", description = "The revocation list (revoked.crl).")
    Path crl;

    @Parameters(arity = "1..*", paramLabel = "CERT", description = "Site certificates to check.")
    List<Path> certificates;

    @Override
    public Integer call() {
        CertificateVerifier verifier;
        try {
            verifier = CertificateVerifier.of(Files.readString(ca), crl == null ? null : Files.readString(crl));
        } catch (IOException | PkiException e) {
            spec.commandLine().getErr().println("ocbridge: " + (crl == null ? ca : ca + ", " + crl) + ": " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        boolean allOk = true;
        for (Path file : certificates) {
            Verdict verdict;
            try {
                verdict = verifier.verify(Files.readString(file), now);
            } catch (IOException e) {
                out.println(file + ": cannot read: " + e.getMessage());
                allOk = false;
                continue;
            }
            out.println(file);
            SiteCertificate claims = verdict.certificate();
            if (claims != null) {
                out.println("  site:         " + claims.site());
                out.println("  public key:   " + Base64.getEncoder().encodeToString(claims.publicKey()));
                out.println("  allowed ips:  " + String.join(", ", claims.allowedIps()));
                out.println("  valid:        " + claims.notBefore().truncatedTo(ChronoUnit.SECONDS) + " to "
                        + claims.notAfter().truncatedTo(ChronoUnit.SECONDS));
                out.println("  serial:       " + claims.serialHex());
            }
            out.println("  status:       " + verdict.message());
            allOk &= verdict.ok();
        }
        out.flush();
        return allOk ? Main.EXIT_OK : Main.EXIT_FAILURE;
    }
}
