package io.ocbridge.it;

import java.util.List;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * When a test fails, prints the last lines of the logs of the processes it started (and of any started earlier that are
 * still running), before {@code @AfterEach} stops them. Relies on the tests of this module running one at a time.
 */
final class TailLogsOnFailure implements BeforeAllCallback, BeforeEachCallback, AfterTestExecutionCallback {
    static final int LINES = 30;
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(TailLogsOnFailure.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Background.forgetStarted();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(STORE).put("mark", Background.startedLogs().size());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            return;
        }
        int mark = context.getStore(STORE).getOrDefault("mark", Integer.class, 0);
        List<Background> started = Background.startedLogs();
        var out = new StringBuilder("\n===== " + context.getDisplayName() + " failed; process logs =====\n");
        for (int i = 0; i < started.size(); i++) {
            var bg = started.get(i);
            if (i >= mark || bg.isAlive()) {
                out.append("----- ").append(bg).append('\n');
                bg.tail(LINES).forEach(line -> out.append("  | ").append(line).append('\n'));
            }
        }
        System.out.println(out);
    }
}
