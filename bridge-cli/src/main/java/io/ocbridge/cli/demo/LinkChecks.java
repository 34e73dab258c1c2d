package io.ocbridge.cli.demo;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What iproute2 shows about a host on the segment: its MAC ({@code ip -o link show dev D}), the address its DHCP client
 * bound ({@code ip -4 -o addr show dev D}), and whether a neighbour entry ({@code ip neigh show A}) names a given MAC,
 * i.e. whether ARP across the tunnel was answered by the host itself. Shared by the demo and the integration tests, which
 * run the commands in their own namespace helpers and report a miss in their own way.
 */
public final class LinkChecks {
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");
    private static final Pattern IPV4 = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/\\d+");

    private LinkChecks() {}

    /** The Ethernet address in {@code ip -o link show} output, if any. */
    public static Optional<String> mac(String linkShow) {
        var m = MAC.matcher(linkShow);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The first IPv4 address in {@code ip -4 -o addr show} output, if any. */
    public static Optional<String> firstIpv4(String addrShow) {
        var m = IPV4.matcher(addrShow);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether {@code ip neigh show} output has the entry at {@code mac} (either case). */
    public static boolean neighbourIs(String neighShow, String mac) {
        return neighShow.toLowerCase(Locale.ROOT).contains("lladdr " + mac.toLowerCase(Locale.ROOT));
    }
}
