package io.ocbridge.core.device;

import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict reverse-path filtering ({@code rp_filter=1}) and forced tunnelling do not mix: a datagram from a peer's
 * endpoint arrives unmarked, the check's lookup for its source lands in the forced tunnel's table, whose route leaves
 * by the overlay's device, not the interface it came in on, and the kernel drops it. Loose mode (2, most
 * distributions' default) or off (0) pass it. wg-quick restores the mark from conntrack with nftables to keep strict
 * mode; ocbridge leaves the host's firewall alone and says which interfaces would drop the tunnel.
 */
public final class ReversePathFilter {
    static final Path CONF = Path.of("/proc/sys/net/ipv4/conf");
    private static final int STRICT = 1;

    private ReversePathFilter() {}

    /** Logs the interfaces (of the caller's network namespace) whose effective rp_filter is strict, if any. */
    public static void warnIfStrict(Log log) {
        List<String> strict = strictInterfaces(CONF);
        if (!strict.isEmpty()) {
            log.warn("rp-filter-strict", "interfaces=" + String.join(",", strict) + " hint=\"strict reverse-path"
                    + " filtering drops the tunnel's own datagrams under forced tunnelling; set rp_filter=2 (loose)\"");
        }
    }

    /** The interfaces under {@code conf} whose effective value, the larger of {@code all}'s and theirs, is 1. */
    static List<String> strictInterfaces(Path conf) {
        List<String> strict = new ArrayList<>();
        int all = read(conf.resolve("all"));
        try (DirectoryStream<Path> interfaces = Files.newDirectoryStream(conf)) {
            for (Path dir : interfaces) {
                String name = dir.getFileName().toString();
                if (!name.equals("all") && !name.equals("default") && !name.equals("lo")
                        && Math.max(all, read(dir)) == STRICT) {
                    strict.add(name);
                }
            }
        } catch (IOException e) {
            return List.of();  // nothing to say; the overlay goes on
        }
        strict.sort(null);
        return strict;
    }

    private static int read(Path dir) {
        try {
            return Integer.parseInt(Files.readString(dir.resolve("rp_filter")).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
