package io.ocbridge.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ocbridge completion bash}: a bash completion script on stdout. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a shell completion script: source <(ocbridge completion bash)")
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "The shell: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("ocbridge", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
