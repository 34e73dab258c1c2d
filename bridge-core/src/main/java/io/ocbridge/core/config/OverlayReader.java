package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.route.ForcedTunnel;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PublicKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Maps one {@code overlays:} item of a site config to an {@link OverlayConfig}: its own keys, its peers (by key or by
 * certificate), its L2 segments and its routing, then the checks across its peers and segments.
 */
final class OverlayReader {
    private static final int KEY_BASE64_CHARS = 44;
    private static final int MIN_MTU = 576;
    private static final int MIN_IPV6_MTU = 1280;
    private static final int MAX_MTU = 9000;
    private static final List<String> OVERLAY_KEYS =
            List.of("name", "device", "listen-port", "addresses", "mtu", "peers", "segments", "ca", "crl",
                    "certificate", "default-route", "fwmark", "table", "rule-priority");
    private static final List<String> PEER_KEYS = List.of("name", "public-key", "preshared-key-file", "endpoint",
            "allowed-ips", "persistent-keepalive", "vtep", "certificate");
    private static final List<String> SEGMENT_KEYS = List.of(
            "name", "vni", "device", "bridge", "peers", "mss-clamp", "mac-aging", "mac-table-size", "relay", "flood-limit",
            "arp-suppression", "dhcp", "mac-flap-limit", "mac-flap-hold");
    private static final int MAX_VNI = (1 << 24) - 1;

    private final Path folder;
    private final Problems problems;
    private final PkiReader pki;
    private final RoutingReader routingReader;
    private final ConfigChecks checks;
    /** The {@code site:} name (null if invalid): an overlay's own {@code certificate:} must name it. */
    private final String siteName;

    OverlayReader(Path folder, Problems problems, Instant now, String siteName) {
        this.folder = folder;
        this.problems = problems;
        this.pki = new PkiReader(folder, problems, now);
        this.routingReader = new RoutingReader(problems);
        this.checks = new ConfigChecks(problems);
        this.siteName = siteName;
    }

    OverlayDraft overlay(Node node, String path) {
        MappingReader map = MappingReader.of(node, path, problems, OVERLAY_KEYS);
        if (map == null) {
            return null;
        }
        String name = map.name("name");
        String device = map.interfaceName("device", true);
        Long listenPort = map.integer("listen-port", 0, 65535, 0L, " (0 = random)");
        map.requireNonEmptyList("addresses");
        List<Cidr> addresses = Item.values(map.items("addresses", MappingReader.scalarItem(problems, Cidr::parse)));
        Long mtu = map.integer("mtu", MIN_MTU, MAX_MTU, (long) OverlayConfig.DEFAULT_MTU, "");
        if (mtu != null && mtu < MIN_IPV6_MTU && addresses.stream().anyMatch(Cidr::isIpv6)) {
            Node at = map.value("mtu") != null ? map.value("mtu") : node;
            problems.at(at, map.field("mtu"), "must be at least " + MIN_IPV6_MTU + " with IPv6 addresses, got " + mtu);
            mtu = null;
        }
        RoutingReader.Routing routing = routingReader.read(map);
        PkiReader.Trust trust = pki.trust(map);
        PkiReader.CertifiedPeer own = map.value("certificate") == null ? null : pki.certifiedPeer(map, siteName, trust,
                "an overlay's certificate is this site's own, so its site name must be site:");
        List<Item<PeerDraft>> peers = map.items("peers", (peerNode, peerPath) -> peer(peerNode, peerPath, trust));
        checks.checkPeersDistinct(peers);
        checks.checkEndpointsOutsideTunnel(peers, addresses, map);
        List<Item<SegmentConfig>> segments = map.items("segments", this::segment);
        List<PeerConfig> peerConfigs = peers.stream().map(item -> item.value().config()).toList();
        checks.checkSegments(segments, peerConfigs, addresses, device, map, node);
        ForcedTunnel forced = routingReader.forcedTunnel(map, node, routing, listenPort, peerConfigs);
        if (name == null || device == null || listenPort == null || mtu == null || routing.defaultRoute() == null
                || (map.value("fwmark") != null && routing.fwmark() == null)) {
            return null;
        }
        long fwmark = routing.fwmark() != null ? routing.fwmark() : forced != null ? forced.fwmark() : 0;
        return new OverlayDraft(new OverlayConfig(name, device, listenPort.intValue(), addresses, mtu.intValue(),
                peerConfigs, Item.values(segments), trust == null ? null : trust.ca(),
                trust == null ? null : trust.crl(), own == null ? null : own.file(), PkiReader.validity(trust, own),
                fwmark, forced), map);
    }


    private PeerDraft peer(Node node, String path, PkiReader.Trust trust) {
        MappingReader map = MappingReader.of(node, path, problems, PEER_KEYS);
        if (map == null) {
            return null;
        }
        String name = map.name("name");
        String publicKey;
        List<Item<Cidr>> allowedIps;
        Path certificate = null;
        Instant notAfter = null;
        if (map.value("certificate") == null) {
            publicKey = map.string("public-key", true);
            if (publicKey != null && !isPublicKey(publicKey)) {
                problems.at(map.value("public-key"), map.field("public-key"), "must be a " + MappingReader.KEY_BYTES
                        + "-byte key in standard base64 (" + KEY_BASE64_CHARS + " characters, as printed by wg pubkey)");
                publicKey = null;
            }
            allowedIps = map.items("allowed-ips", MappingReader.scalarItem(problems, Cidr::parse));
        } else {
            for (String key : List.of("public-key", "allowed-ips")) {
                if (map.value(key) != null) {
                    problems.at(map.value(key), map.field(key),
                            "give either certificate: or public-key/allowed-ips, not both; the certificate supplies " + key);
                }
            }
            PkiReader.CertifiedPeer certified = pki.certifiedPeer(map, name, trust, "the peer name must match the site name");
            publicKey = certified == null ? null : certified.publicKey();
            allowedIps = certified == null ? List.of() : certified.allowedIps();
            certificate = certified == null ? null : certified.file();
            notAfter = certified == null ? null : certified.notAfter();
        }
        Path presharedKeyFile = map.keyFile("preshared-key-file", false, folder);
        Endpoint endpoint = null;
        String endpointText = map.string("endpoint", false);
        if (endpointText != null) {
            try {
                endpoint = Endpoint.parse(endpointText);
            } catch (IllegalArgumentException e) {
                problems.at(map.value("endpoint"), map.field("endpoint"), e.getMessage());
            }
        }
        Long keepalive = map.integer("persistent-keepalive", 0, 65535, 0L, " seconds (0 = off)");
        Cidr vtep = null;
        String vtepText = map.string("vtep", false);
        if (vtepText != null) {
            try {
                vtep = Cidr.host(vtepText);
                if (vtep.isIpv6()) {
                    problems.at(map.value("vtep"), map.field("vtep"), "must be an IPv4 address (VXLAN endpoints are IPv4)");
                    vtep = null;
                } else if (Item.values(allowedIps).stream().noneMatch(a -> a.masked().overlaps(Cidr.host(vtepText)))) {
                    problems.at(map.value("vtep"), map.field("vtep"), vtepText
                            + " is not inside this peer's allowed-ips, so its VXLAN packets would be dropped");
                }
            } catch (IllegalArgumentException e) {
                problems.at(map.value("vtep"), map.field("vtep"), e.getMessage());
            }
        }
        if (name == null || publicKey == null || keepalive == null) {
            return null;
        }
        PeerConfig config = new PeerConfig(name, publicKey, presharedKeyFile, endpoint,
                Item.values(allowedIps), keepalive.intValue(), vtep, certificate, notAfter);
        return new PeerDraft(config, map, allowedIps);
    }


    private SegmentConfig segment(Node node, String path) {
        MappingReader map = MappingReader.of(node, path, problems, SEGMENT_KEYS);
        if (map == null) {
            return null;
        }
        String name = map.name("name");
        Long vni = map.integer("vni", 1, MAX_VNI, null, "");
        if (vni == null && map.value("vni") == null) {
            map.require("vni");
        }
        String device = map.interfaceName("device", true);
        String bridge = map.interfaceName("bridge", false);
        List<String> peers = Item.values(map.items("peers", MappingReader.scalarItem(problems, text -> text)));
        Integer mss = mssClamp(map);
        Long aging = map.integer("mac-aging", 10, 86_400, (long) SegmentConfig.DEFAULT_MAC_AGING_SECONDS, " seconds");
        Long tableSize = map.integer("mac-table-size", 16, 1_000_000, (long) SegmentConfig.DEFAULT_MAC_TABLE_SIZE, " entries");
        Boolean relay = map.flag("relay", false);
        Long floodLimit = map.integer("flood-limit", 0, 10_000_000, (long) SegmentConfig.DEFAULT_FLOOD_LIMIT,
                " frames per second (0 = off)");
        Boolean arpSuppression = map.flag("arp-suppression", true);
        SegmentConfig.DhcpPolicy dhcp = map.choice("dhcp", SegmentConfig.DhcpPolicy.ALLOW,
                Map.of("allow", SegmentConfig.DhcpPolicy.ALLOW, "block", SegmentConfig.DhcpPolicy.BLOCK), "allow or block");
        Long flapLimit = map.integer("mac-flap-limit", 0, 1000, (long) SegmentConfig.DEFAULT_MAC_FLAP_LIMIT,
                " moves in 10 seconds (0 = no damping)");
        Long flapHold = map.integer("mac-flap-hold", 1, 3600, (long) SegmentConfig.DEFAULT_MAC_FLAP_HOLD_SECONDS,
                " seconds");
        if (name == null || vni == null || device == null || mss == null || aging == null || tableSize == null
                || relay == null || floodLimit == null || arpSuppression == null || dhcp == null || flapLimit == null
                || flapHold == null) {
            return null;
        }
        return new SegmentConfig(name, vni.intValue(), device, bridge, peers, mss, aging.intValue(), tableSize.intValue(),
                relay, floodLimit.intValue(), arpSuppression, dhcp, flapLimit.intValue(), flapHold.intValue());
    }


    /** {@code auto} (default), {@code off}, or an MSS in 500..9000 bytes. */
    private Integer mssClamp(MappingReader map) {
        Node value = map.value("mss-clamp");
        if (value == null) {
            return SegmentConfig.MSS_AUTO;
        }
        String text = map.string("mss-clamp", false);
        if (text == null) {
            return null;
        }
        switch (text) {
            case "auto": return SegmentConfig.MSS_AUTO;
            case "off": return SegmentConfig.MSS_OFF;
            default:
                if (text.matches("[0-9]{1,5}") && Integer.parseInt(text) >= 500 && Integer.parseInt(text) <= 9000) {
                    return Integer.parseInt(text);
                }
                problems.at(value, map.field("mss-clamp"), "must be auto, off or an MSS of 500..9000 bytes, got \"" + text + "\"");
                return null;
        }
    }



    /** The decoder the daemon uses (all key kinds share the `wg` encoding), so what loads also starts. */
    private static boolean isPublicKey(String text) {
        try {
            PublicKey.fromBase64(text);
            return true;
        } catch (KeyFormatException e) {
            return false;
        }
    }
}
