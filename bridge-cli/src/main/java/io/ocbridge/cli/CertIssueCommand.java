package io.ocbridge.cli;

import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.pki.CertificateAuthority;
import io.ocbridge.crypto.pki.PkiException;
import io.ocbridge.crypto.pki.SiteCertificate;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ocbridge cert issue}: a site certificate binding a site name, its WireGuard public key and allowed-ips. */
@Command(name = "issue", mixinStandardHelpOptions = true,
        description = "Issue a site certificate signed by the CA in DIR. It holds the site's public key only: "
                + "the site's private key never leaves the site.")
final class CertIssueCommand implements Callable<Integer> {
    /** The rule for peer names in a site config, which must equal the site name. */
    private static final Pattern SITE = Pattern.compile("[a-z0-9-]{1,32}");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "The CA folder (from ca init).")
    Path caDir;

    @Option(names = "--site", required = true, paramLabel = "NAME", description = "Site name (subject CN); peers "
            + "naming this certificate must have this name.")
    String site;

    @Option(names = "--public-key", required = true, paramLabel = "KEY", description = "The site's WireGuard public key (base64, as ocbridge pubkey prints it).")
    String publicKey;

    @Option(names = "--allowed-ips", required = true, split = ",", paramLabel = "CIDRS", description = "Comma-separated prefixes the site may announce.")
    List<String> allowedIps;

    @Option(names = "--days", defaultValue = "365", paramLabel = "N", description = "Validity in days (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Certificate file to create (refused if it exists).")
    Path out;

    @Override
    public Integer call() {
        if (!SITE.matcher(site).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--site must be 1..32 characters of a-z, 0-9 and - (a peer name), got \"" + site + "\"");
        }
        if (days < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--days must be at least 1");
        }
        byte[] key;
        try {
            key = PublicKey.fromBase64(publicKey).bytes();
        } catch (KeyFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--public-key: " + e.getMessage());
        }
        for (String cidr : allowedIps) {
            try {
                Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--allowed-ips: " + e.getMessage());
            }
        }
        CaDirectory dir = new CaDirectory(caDir);
        try {
            CertificateAuthority ca = dir.load();
            SiteCertificate certificate = ca.issue(site, key, allowedIps, Instant.now(), Duration.ofDays(days));
            CaDirectory.createPublic(out, certificate.toPem());
            spec.commandLine().getOut().println("issued " + out + ": site " + site + ", serial "
                    + certificate.serialHex() + ", valid until " + certificate.notAfter());
            return Main.EXIT_OK;
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("ocbridge: " + out + ": already exists; not overwriting");
            return Main.EXIT_USAGE;
        } catch (IOException | PkiException e) {
            spec.commandLine().getErr().println("ocbridge: " + caDir + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }
}
