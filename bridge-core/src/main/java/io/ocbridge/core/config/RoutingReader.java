package io.ocbridge.core.config;

import io.ocbridge.core.route.ForcedTunnel;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** An overlay's routing keys: {@code default-route} (forced tunnelling), {@code fwmark}, {@code table}, {@code rule-priority}. */
final class RoutingReader {
    private final Problems problems;

    RoutingReader(Problems problems) {
        this.problems = problems;
    }

    /** The four keys as written (null fields: absent or wrong, reported). */
    Routing read(MappingReader map) {
        return new Routing(map.flag("default-route", false),
                map.integer("fwmark", 0, ForcedTunnel.MAX_FWMARK, null, " (0 = none)"),
                map.integer("table", 1, ForcedTunnel.MAX_TABLE, null, ""),
                map.integer("rule-priority", 1, ForcedTunnel.MAX_RULE_PRIORITY, null, ""));
    }

    /** {@code default-route}, {@code fwmark}, {@code table}, {@code rule-priority} as read; null fields: absent. */
    record Routing(Boolean defaultRoute, Long fwmark, Long table, Long rulePriority) {
    }

    /**
     * {@code default-route: true}: the default route of each family some peer's allowed-ips hold as a /0, in a table
     * of its own ({@code table:}, default the listen port, as unique on a host as the port), chosen by rules at
     * {@code rule-priority:} for every packet without the overlay's {@code fwmark:} (default the table). Null when off
     * or wrong (reported); {@code table:} and {@code rule-priority:} mean nothing without it.
     */
    ForcedTunnel forcedTunnel(MappingReader map, Node node, Routing routing, Long listenPort,
            List<PeerConfig> peers) {
        if (!Boolean.TRUE.equals(routing.defaultRoute())) {
            for (String key : List.of("table", "rule-priority")) {
                if (map.value(key) != null && Boolean.FALSE.equals(routing.defaultRoute())) {
                    problems.at(map.value(key), map.field(key), "only means something with default-route: true");
                }
            }
            return null;
        }
        Node at = map.value("default-route");
        boolean ipv4 = peers.stream().flatMap(p -> p.allowedIps().stream())
                .anyMatch(prefix -> prefix.prefixLength() == 0 && !prefix.isIpv6());
        boolean ipv6 = peers.stream().flatMap(p -> p.allowedIps().stream())
                .anyMatch(prefix -> prefix.prefixLength() == 0 && prefix.isIpv6());
        if (!ipv4 && !ipv6) {
            problems.at(at, map.field("default-route"),
                    "no peer of this overlay has 0.0.0.0/0 or ::/0 in its allowed-ips, so no peer could take the traffic");
        }
        Long table = routing.table();
        if (map.value("table") == null && listenPort != null) {
            String reserved = ForcedTunnel.reservedTable(listenPort);
            if (reserved != null) {
                problems.at(at, map.field("default-route"), "give table: (by default the table is the listen-port, "
                        + listenPort + (listenPort == 0 ? ", a random port" : ", which " + reserved) + ")");
            } else {
                table = listenPort;
            }
        } else if (table != null && ForcedTunnel.reservedTable(table) != null) {
            problems.at(map.value("table"), map.field("table"), ForcedTunnel.reservedTable(table) + ", got " + table);
            table = null;
        }
        Long fwmark = routing.fwmark() != null ? routing.fwmark() : table;
        if (routing.fwmark() != null && routing.fwmark() == 0) {
            problems.at(map.value("fwmark"), map.field("fwmark"), "must not be 0 with default-route: true; without "
                    + "a mark the tunnel's own datagrams would be routed into the tunnel");
            fwmark = null;
        }
        long priority = routing.rulePriority() != null ? routing.rulePriority() : ForcedTunnel.DEFAULT_RULE_PRIORITY;
        if (table == null || fwmark == null || (!ipv4 && !ipv6)
                || (map.value("rule-priority") != null && routing.rulePriority() == null)) {
            return null;
        }
        return new ForcedTunnel(table, fwmark, (int) priority, ipv4, ipv6);
    }

}
