package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.core.route.Cidr;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The checks that span several records of one config, run once each record has been read: overlays distinct, at most
 * one forcing the default route, peers distinct with allowed-ips that do not overlap, endpoints outside the tunnel,
 * segments consistent with their overlay and peers. Each problem names the second of two clashing items and points
 * at the first.
 */
final class ConfigChecks {
    private final Problems problems;

    ConfigChecks(Problems problems) {
        this.problems = problems;
    }

    /**
     * At most one overlay of a site forces the default route: two default routes cannot both win. The others'
     * sockets carry its mark unless they name their own {@code fwmark:}, so their datagrams leave by the underlay
     * rather than through the forced tunnel.
     */
    List<Item<OverlayDraft>> markBehindForcedTunnel(List<Item<OverlayDraft>> overlays) {
        Item<OverlayDraft> forcing = null;
        for (Item<OverlayDraft> item : overlays) {
            if (item.value().config().forcedTunnel() == null) {
                continue;
            }
            if (forcing != null) {
                MappingReader map = item.value().map();
                problems.at(map.value("default-route"), map.field("default-route"), "overlay "
                        + forcing.value().config().name() + " (line " + MappingReader.line(forcing.node())
                        + ") already has default-route: true; one overlay of a site can take the default route");
            } else {
                forcing = item;
            }
        }
        if (forcing == null) {
            return overlays;
        }
        long mark = forcing.value().config().forcedTunnel().fwmark();
        List<Item<OverlayDraft>> marked = new ArrayList<>(overlays.size());
        for (Item<OverlayDraft> item : overlays) {
            OverlayDraft draft = item.value();
            marked.add(draft.map().value("fwmark") != null || item == forcing ? item : new Item<>(
                    new OverlayDraft(draft.config().withFwmark(mark), draft.map()), item.node(), item.path()));
        }
        return marked;
    }


    /** Overlay names, devices and (non-random) listen ports must differ. */
    void checkOverlaysDistinct(List<Item<OverlayDraft>> overlays) {
        for (int i = 0; i < overlays.size(); i++) {
            OverlayConfig overlay = overlays.get(i).value().config();
            MappingReader map = overlays.get(i).value().map();
            for (int j = 0; j < i; j++) {
                OverlayConfig earlier = overlays.get(j).value().config();
                String where = " (line " + MappingReader.line(overlays.get(j).node()) + ")";
                if (earlier.name().equals(overlay.name())) {
                    problems.at(map.value("name"), map.field("name"),
                            "overlay name \"" + overlay.name() + "\" is used twice; first" + where);
                }
                if (earlier.device().equals(overlay.device())) {
                    problems.at(map.value("device"), map.field("device"),
                            "device " + overlay.device() + " is already used by overlay " + earlier.name() + where);
                }
                if (overlay.listenPort() != 0 && earlier.listenPort() == overlay.listenPort()) {
                    problems.at(map.value("listen-port"), map.field("listen-port"),
                            "port " + overlay.listenPort() + " is already used by overlay " + earlier.name() + where);
                }
            }
        }
    }


    /**
     * Within an overlay, peer names and public keys must differ and allowed-ips must not overlap, but for a default
     * route: one peer's /0 takes what no other peer's more specific prefix claims, as in WireGuard.
     */
    void checkPeersDistinct(List<Item<PeerDraft>> peers) {
        if (!mayClash(peers)) {
            return; // the common case, found in O(n log n); the pairwise pass below words the errors
        }
        for (int i = 0; i < peers.size(); i++) {
            PeerDraft peer = peers.get(i).value();
            MappingReader map = peer.map();
            for (int j = 0; j < i; j++) {
                PeerConfig earlier = peers.get(j).value().config();
                String where = " (line " + MappingReader.line(peers.get(j).node()) + ")";
                if (earlier.name().equals(peer.config().name())) {
                    problems.at(map.value("name"), map.field("name"),
                            "peer name \"" + earlier.name() + "\" is used twice; first" + where);
                }
                if (earlier.publicKey().equals(peer.config().publicKey())) {
                    String key = map.value("public-key") != null ? "public-key" : "certificate";
                    problems.at(map.value(key), map.field(key),
                            "same public key as peer " + earlier.name() + where);
                }
            }
            for (Item<Cidr> prefix : peer.allowedIps()) {
                Item<Cidr> clash = firstOverlap(prefix.value(), peers.subList(0, i));
                if (clash != null) {
                    problems.at(prefix.node(), prefix.path(), prefix.value() + " overlaps " + clash.value()
                            + " (" + clash.path() + ", line " + MappingReader.line(clash.node()) + ")");
                }
            }
        }
    }

    /** Prefixes by family, then first address, then length: a prefix that contains others comes just before them. */
    private static final Comparator<Cidr> BY_START = Comparator.comparing(Cidr::family)
            .thenComparing(Cidr::high, Long::compareUnsigned)
            .thenComparing(Cidr::low, Long::compareUnsigned)
            .thenComparingInt(Cidr::prefixLength);

    /**
     * False if no two peers share a name or a public key and no two allowed-ips overlap; true if some may (the
     * pairwise check then says which). Prefixes either nest or are disjoint, so once sorted by start an overlap, if
     * any, shows between neighbours.
     */
    private static boolean mayClash(List<Item<PeerDraft>> peers) {
        Set<String> names = new HashSet<>();
        Set<String> keys = new HashSet<>();
        Set<Cidr.Family> defaults = new HashSet<>();
        List<Cidr> prefixes = new ArrayList<>();
        for (Item<PeerDraft> peer : peers) {
            PeerConfig config = peer.value().config();
            if (!names.add(config.name()) || !keys.add(config.publicKey())) {
                return true;
            }
            for (Item<Cidr> prefix : peer.value().allowedIps()) {
                if (prefix.value().prefixLength() != 0) {
                    prefixes.add(prefix.value().masked());
                } else if (!defaults.add(prefix.value().family())) {
                    return true;
                }
            }
        }
        prefixes.sort(BY_START);
        for (int i = 1; i < prefixes.size(); i++) {
            if (prefixes.get(i - 1).overlaps(prefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static Item<Cidr> firstOverlap(Cidr prefix, List<Item<PeerDraft>> peers) {
        for (Item<PeerDraft> peer : peers) {
            for (Item<Cidr> other : peer.value().allowedIps()) {
                boolean oneIsDefault = (prefix.prefixLength() == 0) != (other.value().prefixLength() == 0);
                if (!oneIsDefault && prefix.overlaps(other.value())) {
                    return other;
                }
            }
        }
        return null;
    }

    /**
     * A peer's endpoint (an IP literal; a name is not known until it is resolved) must not lie inside a prefix this
     * overlay routes through its own device, in the main table: an allowed-ips prefix other than a /0 (a /0 goes in
     * the forced tunnel's table, which the socket's mark escapes) or the subnet of an overlay address. The tunnel's
     * datagrams to it would enter the tunnel, whatever their mark.
     */
    void checkEndpointsOutsideTunnel(List<Item<PeerDraft>> peers, List<Cidr> addresses, MappingReader overlay) {
        // Longest match in the allowed-IPs trie: one lookup per endpoint, so a hub of 40,000 peers stays fast.
        AllowedIps<String> routed = new AllowedIps<>();
        for (Cidr address : addresses) {
            routed.insert(address.masked(), "this overlay's own subnet " + address.masked() + " ("
                    + overlay.field("addresses") + ")");
        }
        for (Item<PeerDraft> peer : peers) {
            for (Item<Cidr> prefix : peer.value().allowedIps()) {
                if (prefix.value().prefixLength() != 0) {
                    routed.insert(prefix.value().masked(), prefix.value() + " of peer " + peer.value().config().name()
                            + "'s allowed-ips (" + prefix.path() + ", line " + MappingReader.line(prefix.node()) + ")");
                }
            }
        }
        for (Item<PeerDraft> item : peers) {
            PeerDraft peer = item.value();
            Endpoint endpoint = peer.config().endpoint();
            Cidr host = endpoint == null ? null : literal(endpoint.host());
            if (host == null) {
                continue;
            }
            String inside = routed.lookup(host.address().getAddress());
            if (inside != null) {
                problems.at(peer.map().value("endpoint"), peer.map().field("endpoint"), "endpoint " + endpoint.host()
                        + " is inside " + inside + ", which is routed through this overlay's device: the tunnel's own"
                        + " datagrams would be sent into the tunnel");
            }
        }
    }

    /** The host as an address if it is an IP literal; null if it is a name. */
    private static Cidr literal(String host) {
        try {
            return Cidr.host(host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }


    /** Segment names, VNIs and devices differ; listed peers exist and have a VTEP; the overlay has an IPv4 VTEP. */
    void checkSegments(List<Item<SegmentConfig>> segments, List<PeerConfig> peers, List<Cidr> addresses,
            String overlayDevice, MappingReader overlayMap, Node overlayNode) {
        if (segments.isEmpty()) {
            return;
        }
        if (addresses.stream().allMatch(Cidr::isIpv6) && !addresses.isEmpty()) {
            Node at = overlayMap.value("addresses") != null ? overlayMap.value("addresses") : overlayNode;
            problems.at(at, overlayMap.field("addresses"), "segments need an IPv4 address here: it is this gateway's VXLAN endpoint");
        }
        for (int i = 0; i < segments.size(); i++) {
            Item<SegmentConfig> item = segments.get(i);
            SegmentConfig segment = item.value();
            String path = item.path();
            if (segment.device().equals(overlayDevice)) {
                problems.at(item.node(), path + ".device", "device " + segment.device() + " is the overlay's own device");
            }
            for (int j = 0; j < i; j++) {
                SegmentConfig earlier = segments.get(j).value();
                String where = " (line " + MappingReader.line(segments.get(j).node()) + ")";
                if (earlier.name().equals(segment.name())) {
                    problems.at(item.node(), path + ".name", "segment name \"" + segment.name() + "\" is used twice; first" + where);
                }
                if (earlier.vni() == segment.vni()) {
                    problems.at(item.node(), path + ".vni", "VNI " + segment.vni() + " is already used by segment " + earlier.name() + where);
                }
                if (earlier.device().equals(segment.device())) {
                    problems.at(item.node(), path + ".device", "device " + segment.device() + " is already used by segment " + earlier.name() + where);
                }
            }
            List<String> names = peers.stream().map(PeerConfig::name).toList();
            for (String peerName : segment.peers()) {
                if (!names.contains(peerName)) {
                    problems.at(item.node(), path + ".peers", "no peer named \"" + peerName + "\" in this overlay");
                }
            }
            for (PeerConfig peer : peers) {
                boolean member = segment.peers().isEmpty() || segment.peers().contains(peer.name());
                if (member && peer.effectiveVtep() == null) {
                    problems.at(item.node(), path + ".peers", "peer " + peer.name()
                            + " has no IPv4 allowed-ips address to serve as its VXLAN endpoint; give it vtep:");
                }
            }
        }
    }

}
