package io.ocbridge.it;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A segment counter read from a running daemon: {@code bin/ocbridge status --socket ... --json}, in its namespace. */
final class SegmentCounters {
    private SegmentCounters() {}

    /** The status document of {@code daemon}. */
    static String statusJson(OcbridgeDaemon daemon, Netns gateway) {
        return gateway.exec(Duration.ofSeconds(20), OcbridgeDaemon.launcher().toString(), "status", "--socket",
                daemon.config().resolveSibling("control.sock").toString(), "--json").orThrow().output();
    }

    /** Counter {@code name} (lower case, e.g. {@code arp_suppressed}) of the only segment in {@code json}. */
    static long counter(String json, String name) {
        int segments = json.indexOf("\"segments\":[{");
        if (segments < 0) {
            throw new AssertionError("no segment in status: " + json);
        }
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\\d+)").matcher(json);
        if (!m.find(segments)) {
            throw new AssertionError("no counter " + name + " in status: " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static long counter(OcbridgeDaemon daemon, Netns gateway, String name) {
        return counter(statusJson(daemon, gateway), name);
    }
}
