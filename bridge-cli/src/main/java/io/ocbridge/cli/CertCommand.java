package io.ocbridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ocbridge cert}: site certificates. */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Site certificates: issue, verify and revoke.",
        subcommands = {CertIssueCommand.class, CertVerifyCommand.class, CertRevokeCommand.class})
final class CertCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }
}
