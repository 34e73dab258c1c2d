package io.ocbridge.it;

import java.util.List;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Registered through {@code META-INF/services}: starts each test run with an empty {@link Summary} file and ends it by
 * printing every {@code SUMMARY} line the run recorded, as one block, so the figures of a whole suite fit on one screen.
 */
public final class SummaryListener implements TestExecutionListener {
    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        Summary.reset();
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        List<String> lines = Summary.lines();
        if (lines.isEmpty()) {
            return;
        }
        var out = new StringBuilder("\n===== ocbridge integration summary (" + Summary.file() + ") =====\n");
        lines.forEach(line -> out.append(line).append('\n'));
        System.out.print(out);
        System.out.flush();
    }
}
