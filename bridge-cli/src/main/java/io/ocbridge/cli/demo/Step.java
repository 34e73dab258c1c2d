package io.ocbridge.cli.demo;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Numbered output of the demo: {@link #begin} prints {@code " 3. title"}, {@link #detail} an indented line under it,
 * {@link #done} the step's time. Times are wall-clock from {@link System#nanoTime()}.
 */
final class Step {
    private final PrintWriter out;
    private final long demoStartNs;
    private int number;
    private long stepStartNs;

    Step(PrintWriter out, long demoStartNs) {
        this.out = out;
        this.demoStartNs = demoStartNs;
    }

    void begin(String title) {
        number++;
        stepStartNs = System.nanoTime();
        out.printf(Locale.ROOT, "%n%2d. %s%n", number, title);
        out.flush();
    }

    void detail(String format, Object... args) {
        for (String line : String.format(Locale.ROOT, format, args).split("\n")) {
            out.println(line.isBlank() ? "" : "    " + line);
        }
        out.flush();
    }

    void done() {
        out.printf(Locale.ROOT, "    ok (%s)%n", seconds(System.nanoTime() - stepStartNs));
        out.flush();
    }

    int number() {
        return number;
    }

    /** Seconds since the demo started, for the closing line. */
    double elapsedSeconds() {
        return (System.nanoTime() - demoStartNs) / 1e9;
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
