package io.ocbridge.it;

import io.ocbridge.cli.demo.PingCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outcome of one {@code ping} run inside a namespace: packets sent and received, and the average round trip. The
 * counted runs and their summary are the demo's {@link PingCommand}; traces and outage windows are the tests' own.
 */
record Ping(int transmitted, int received, double avgRttMs, String output) {
    /** A reply line of {@code ping -D}: {@code [<epoch seconds>.<micros>] 64 bytes from ...: ... time=<ms> ms}. */
    private static final Pattern TRACED_REPLY = Pattern.compile("(?m)^\\[(\\d+)\\.(\\d{6})] .* time=([\\d.]+) ms");

    /** Sends {@code count} echo requests 200 ms apart, waiting at most 1 s for each reply. */
    static Ping run(Netns from, String address, int count) {
        return run(from, PingCommand.quiet(address, count), count);
    }

    /**
     * Sends {@code count} echo requests with {@code payloadBytes} of ICMP payload and Don't Fragment set
     * ({@code ping -M do -s}): 1472 makes 1500-byte IP packets, full-size Ethernet frames.
     */
    static Ping dontFragment(Netns from, String address, int count, int payloadBytes) {
        return run(from, PingCommand.quiet(address, count, "-M", "do", "-s", Integer.toString(payloadBytes)), count);
    }

    /** As {@link #run}, but with one output line per reply, so duplicates show as {@code DUP!} lines. */
    static Ping verbose(Netns from, String address, int count) {
        return run(from, PingCommand.verbose(address, count), count);
    }

    /** Duplicate replies ({@code +N duplicates} in ping's summary); a looping or flooding L2 path shows here. */
    int duplicates() {
        return PingCommand.parse(output).duplicates();
    }

    /** Pings for {@code window} (one request per 200 ms) and reports how many replies came back. */
    static Ping during(Netns from, String address, Duration window) {
        return parse(from.exec(window.plusSeconds(5), "ping", "-n", "-q", "-i", PingCommand.INTERVAL_SECONDS,
                "-W", PingCommand.REPLY_WAIT_SECONDS, "-w", Long.toString(window.toSeconds()), address).output());
    }

    /**
     * Sends one echo request at a time until one is answered or {@code timeout} has passed;
     * returns the time to the first reply, measured from this call.
     */
    static Optional<Duration> until(Netns from, String address, Duration timeout) {
        long startNs = System.nanoTime();
        boolean ok = Wait.until(timeout, () -> run(from, address, 1).received() > 0);
        return ok ? Optional.of(Duration.ofNanos(System.nanoTime() - startNs)) : Optional.empty();
    }

    /**
     * A ping running in the background, tracked by {@code lab}: one request every 100 ms for at most {@code window},
     * each reply printed with its arrival time ({@code -D}); see {@link #firstReplyAfter}.
     */
    static Background trace(Lab lab, Netns from, String address, Duration window) {
        return trace(lab, from, address, window, 100, "ping-trace");
    }

    /**
     * As {@link #trace}, one request every {@code intervalMillis} (root may go down to 2 ms) for about {@code window}:
     * failover gaps are read off these traces with {@link #longestGap}. Bounded by a count, not {@code -w}: with a
     * deadline, ping quits at the first ICMP error, such as the "net unreachable" a dying gateway sends.
     */
    static Background trace(Lab lab, Netns from, String address, Duration window, int intervalMillis, String label) {
        return lab.start(from, label, List.of("ping", "-n", "-D", "-i", String.format(java.util.Locale.ROOT, "%.3f",
                intervalMillis / 1000.0), "-W", "1", "-c", Long.toString(window.toMillis() / intervalMillis), address));
    }

    /**
     * From a trace's output: the longest time without a reply, between two consecutive replies (by arrival) or from
     * the last one to {@code end} (an outage still going on when the trace stopped counts to its end), i.e. the outage
     * as a user of the path saw it, give or take one interval; empty without any reply.
     */
    static Optional<Duration> longestGap(String traceOutput, Instant end) {
        Matcher m = TRACED_REPLY.matcher(traceOutput);
        Instant previous = null;
        Duration longest = Duration.ZERO;
        while (m.find()) {
            Instant arrived = Instant.ofEpochSecond(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) * 1000);
            if (previous != null && Duration.between(previous, arrived).compareTo(longest) > 0) {
                longest = Duration.between(previous, arrived);
            }
            previous = arrived;
        }
        if (previous == null) {
            return Optional.empty();
        }
        Duration tail = Duration.between(previous, end);
        return Optional.of(tail.compareTo(longest) > 0 ? tail : longest);
    }

    /**
     * From a {@link #trace}'s output: the time from {@code since} to the first reply whose request was sent after it
     * (arrival minus round trip), or empty if there is none yet. Wall clock: namespaces share the host's.
     */
    static Optional<Duration> firstReplyAfter(String traceOutput, Instant since) {
        Matcher m = TRACED_REPLY.matcher(traceOutput);
        while (m.find()) {
            Instant arrived = Instant.ofEpochSecond(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) * 1000);
            Instant sent = arrived.minusNanos((long) (Double.parseDouble(m.group(3)) * 1e6));
            if (sent.isAfter(since)) {
                return Optional.of(Duration.between(since, arrived));
            }
        }
        return Optional.empty();
    }

    private static Ping run(Netns from, List<String> argv, int count) {
        return parse(from.exec(PingCommand.timeout(count), argv.toArray(String[]::new)).output());
    }

    /** The outcome in ping's output, e.g. a finished {@link #trace}'s log (0 sent without a summary line). */
    static Ping parse(String output) {
        var summary = PingCommand.parse(output);
        return new Ping(summary.transmitted(), summary.received(), summary.avgRttMs(), output);
    }
}
