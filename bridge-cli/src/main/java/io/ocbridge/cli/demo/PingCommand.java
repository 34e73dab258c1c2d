package io.ocbridge.cli.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code ping} runs that show a stretched segment works, as argument lists for {@link BoundedCommand}, and what
 * their summary says: sent, answered, duplicated (a looping or flooding L2 path shows there), average round trip.
 * Shared by the demo's steps and the integration tests' {@code Ping} and {@code L2Checks}; each runs the command in its
 * own namespace helper and reports a miss in its own way (a one-line failure, an assertion).
 */
public final class PingCommand {
    /** Between two echo requests: five a second keeps a counted run short. */
    public static final String INTERVAL_SECONDS = "0.2";
    /** How long each request waits for its reply. */
    public static final String REPLY_WAIT_SECONDS = "1";
    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern RTT = Pattern.compile("= [\\d.]+/([\\d.]+)/");
    private static final Pattern DUPLICATES = Pattern.compile("\\+(\\d+) duplicates");

    /** What ping's closing lines say; 0 sent and NaN round trip when there are none (it was killed, say). */
    public record Summary(int transmitted, int received, double avgRttMs, int duplicates) {}

    private PingCommand() {}

    /**
     * {@code ping -n -q -c COUNT -i 0.2 -W 1 [options] ADDRESS}: summary lines only, e.g. {@code "-M", "do", "-s",
     * "1472"} for full-size frames with Don't Fragment set.
     */
    public static List<String> quiet(String address, int count, String... options) {
        return argv(true, address, count, options);
    }

    /** As {@link #quiet}, but with one line per reply, so duplicates also show as {@code DUP!} lines. */
    public static List<String> verbose(String address, int count, String... options) {
        return argv(false, address, count, options);
    }

    /** A deadline for a run of {@code count} requests: their interval and reply waits, and start-up, with room. */
    public static Duration timeout(int count) {
        return Duration.ofSeconds(count + 5L);
    }

    /** The summary in ping's output. */
    public static Summary parse(String output) {
        var counts = COUNTS.matcher(output);
        var rtt = RTT.matcher(output);
        var duplicates = DUPLICATES.matcher(output);
        boolean counted = counts.find();
        return new Summary(
                counted ? Integer.parseInt(counts.group(1)) : 0,
                counted ? Integer.parseInt(counts.group(2)) : 0,
                rtt.find() ? Double.parseDouble(rtt.group(1)) : Double.NaN,
                duplicates.find() ? Integer.parseInt(duplicates.group(1)) : 0);
    }

    private static List<String> argv(boolean quiet, String address, int count, String... options) {
        var argv = new ArrayList<>(List.of("ping", "-n"));
        if (quiet) {
            argv.add("-q");
        }
        argv.addAll(List.of("-c", Integer.toString(count), "-i", INTERVAL_SECONDS, "-W", REPLY_WAIT_SECONDS));
        argv.addAll(List.of(options));
        argv.add(address);
        return argv;
    }
}
