package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.device.InterfaceName;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.route.ForcedTunnel;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.pki.CertificateVerifier;
import io.ocbridge.crypto.pki.PkiException;
import io.ocbridge.crypto.pki.SiteCertificate;
import io.ocbridge.crypto.pki.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Loads a site config: YAML is composed to a node tree (every value keeps its line and column)
 * and mapped by hand into immutable records. Every error found is reported, each as
 * {@code FILE:LINE:COL: field: message}; nothing here throws a stack trace at a user.
 */
public final class ConfigLoader {

    /** Room for some 40,000 peers written one field a line: a hub's config, with room to spare. */
    public static final int MAX_FILE_BYTES = 8 << 20;
    private static final int MAX_ALIASES = 16;
    private static final int MAX_NESTING = 16;

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");
    private static final String NAME_RULE = "must be 1..32 characters of a-z, 0-9 and -";
    private static final int KEY_BYTES = 32;
    private static final int KEY_BASE64_CHARS = 44;
    private static final int MIN_MTU = 576;
    private static final int MIN_IPV6_MTU = 1280;
    private static final int MAX_MTU = 9000;

    /** sun_path is 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private static final List<String> SITE_KEYS =
            List.of("site", "private-key-file", "overlays", "control-socket", "metrics", "ha");
    private static final List<String> METRICS_KEYS = List.of("listen");
    private static final List<String> HA_KEYS = List.of("follow-address");
    private static final List<String> OVERLAY_KEYS =
            List.of("name", "device", "listen-port", "addresses", "mtu", "peers", "segments", "ca", "crl",
                    "certificate", "default-route", "fwmark", "table", "rule-priority");
    private static final List<String> PEER_KEYS = List.of("name", "public-key", "preshared-key-file", "endpoint",
            "allowed-ips", "persistent-keepalive", "vtep", "certificate");
    /** CA certificates, site certificates and CRLs are a few KiB; a CRL of many thousand entries fits. */
    private static final int MAX_PKI_FILE_BYTES = 1 << 20;
    private static final List<String> SEGMENT_KEYS = List.of(
            "name", "vni", "device", "bridge", "peers", "mss-clamp", "mac-aging", "mac-table-size", "relay", "flood-limit",
            "arp-suppression", "dhcp", "mac-flap-limit", "mac-flap-hold");
    private static final int MAX_VNI = (1 << 24) - 1;

    private final Path file;
    private final Path folder;
    private final Problems problems;
    /** The instant site certificates must be valid at. */
    private final Instant now;
    /** The {@code site:} name once read (null if invalid): an overlay's own {@code certificate:} must name it. */
    private String siteName;

    private ConfigLoader(Path file, Instant now) {
        this.file = file;
        this.folder = file.toAbsolutePath().normalize().getParent();
        this.problems = new Problems(file);
        this.now = now;
    }

    /** Loads and checks {@code file}; relative key-file paths resolve against its folder. */
    public static SiteConfig load(Path file) throws ConfigException {
        return load(file, Clock.systemUTC());
    }

    /** As {@link #load(Path)}, checking site certificates at {@code clock}'s instant. */
    public static SiteConfig load(Path file, Clock clock) throws ConfigException {
        return new ConfigLoader(file, clock.instant()).load();
    }

    private SiteConfig load() throws ConfigException {
        String text = readText();
        problems.throwIfAny();
        Node root = compose(text);
        problems.throwIfAny();
        if (root == null) {
            problems.inFile("file is empty");
            problems.throwIfAny();
        }
        SiteConfig site = site(root);
        problems.throwIfAny();
        return site;
    }

    /** The file as UTF-8 text; reports size, read and encoding problems. */
    private String readText() {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            problems.inFile("file not found");
            return null;
        } catch (IOException e) {
            problems.inFile("cannot read: " + e.getMessage());
            return null;
        }
        if (bytes.length > MAX_FILE_BYTES) {
            problems.inFile("larger than " + (MAX_FILE_BYTES >> 20) + " MiB; refusing to load");
            return null;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            reportBadByte(bytes, in.position());
            return null;
        }
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private void reportBadByte(byte[] bytes, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = 1 + new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length();
        problems.atLine(line, column, String.format("not valid UTF-8 (byte 0x%02X)", bytes[offset] & 0xFF));
    }

    private Node compose(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_FILE_BYTES);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            String message = "YAML: " + problem.strip().replace('\n', ' ');
            if (mark == null) {
                problems.inFile(message);
            } else {
                problems.atLine(mark.getLine() + 1, mark.getColumn() + 1, message);
            }
        } catch (YAMLException e) {
            problems.inFile("YAML: " + e.getMessage().strip().replace('\n', ' '));
        }
        return null;
    }

    /** An overlay as read, with its reader kept for the cross-overlay checks. */
    private record OverlayDraft(OverlayConfig config, MappingReader map) {
    }

    /** {@code default-route}, {@code fwmark}, {@code table}, {@code rule-priority} as read; null fields: absent. */
    private record Routing(Boolean defaultRoute, Long fwmark, Long table, Long rulePriority) {
    }

    /** A peer as read, with its reader and allowed-ips nodes kept for the cross-peer checks. */
    private record PeerDraft(PeerConfig config, MappingReader map, List<Item<Cidr>> allowedIps) {
    }

    private SiteConfig site(Node root) {
        MappingReader map = MappingReader.of(root, "", problems, SITE_KEYS);
        if (map == null) {
            return null;
        }
        String site = name(map, "site");
        siteName = site;
        Path privateKeyFile = keyFile(map, "private-key-file", true);
        requireNonEmptyList(map, "overlays");
        List<Item<OverlayDraft>> overlays = markBehindForcedTunnel(map.items("overlays", this::overlay));
        checkOverlaysDistinct(overlays);
        Path controlSocket = controlSocket(map, site);
        MetricsConfig metrics = metrics(map);
        HaConfig ha = ha(map);
        if (problems.any()) {
            return null;
        }
        return new SiteConfig(file, site, privateKeyFile,
                overlays.stream().map(item -> item.value().config()).toList(), controlSocket, metrics, ha);
    }

    /** {@code control-socket}: a path (relative to the config's folder) that fits a Unix socket address. */
    private Path controlSocket(MappingReader map, String site) {
        String text = map.string("control-socket", false);
        if (text == null) {
            return site == null ? null : SiteConfig.defaultControlSocket(site);
        }
        Path path;
        try {
            path = folder.resolve(text).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            problems.at(map.value("control-socket"), map.field("control-socket"), "not a valid path: " + e.getReason());
            return null;
        }
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (text.isBlank() || text.endsWith("/") || path.getFileName() == null) {
            problems.at(map.value("control-socket"), map.field("control-socket"),
                    "must name a file, got \"" + text + "\"");
            return null;
        }
        if (bytes > MAX_SOCKET_PATH_BYTES) {
            problems.at(map.value("control-socket"), map.field("control-socket"), path + " is " + bytes
                    + " bytes; a Unix socket path holds at most " + MAX_SOCKET_PATH_BYTES);
            return null;
        }
        return path;
    }

    /**
     * {@code ha: {follow-address: IP}}; absent means always active. The address is the VRRP virtual address
     * itself: a unicast host address peers can dial, written without a prefix.
     */
    private HaConfig ha(MappingReader site) {
        Node node = site.value("ha");
        if (node == null) {
            return null;
        }
        MappingReader map = MappingReader.of(node, site.field("ha"), problems, HA_KEYS);
        if (map == null) {
            return null;
        }
        String text = map.string("follow-address", true);
        if (text == null) {
            return null;
        }
        String problem = FollowAddress.problem(text);
        if (problem != null) {
            problems.at(map.value("follow-address"), map.field("follow-address"), problem);
            return null;
        }
        return new HaConfig(FollowAddress.parse(text));
    }

    /** {@code metrics: {listen: IP:PORT}}; absent means off. */
    private MetricsConfig metrics(MappingReader site) {
        Node node = site.value("metrics");
        if (node == null) {
            return null;
        }
        MappingReader map = MappingReader.of(node, site.field("metrics"), problems, METRICS_KEYS);
        if (map == null) {
            return null;
        }
        String text = map.string("listen", true);
        if (text == null) {
            return null;
        }
        try {
            Endpoint listen = Endpoint.parse(text);
            Cidr.host(listen.host());
            return new MetricsConfig(listen);
        } catch (IllegalArgumentException e) {
            problems.at(map.value("listen"), map.field("listen"),
                    "must be IP-address:port, e.g. 127.0.0.1:9586, got \"" + text + "\"");
            return null;
        }
    }

    private OverlayDraft overlay(Node node, String path) {
        MappingReader map = MappingReader.of(node, path, problems, OVERLAY_KEYS);
        if (map == null) {
            return null;
        }
        String name = name(map, "name");
        String device = map.string("device", true);
        if (device != null && InterfaceName.problem(device) != null) {
            problems.at(map.value("device"), map.field("device"), InterfaceName.problem(device));
            device = null;
        }
        Long listenPort = map.integer("listen-port", 0, 65535, 0L, " (0 = random)");
        requireNonEmptyList(map, "addresses");
        List<Cidr> addresses = Item.values(map.items("addresses", MappingReader.scalarItem(problems, Cidr::parse)));
        Long mtu = map.integer("mtu", MIN_MTU, MAX_MTU, (long) OverlayConfig.DEFAULT_MTU, "");
        if (mtu != null && mtu < MIN_IPV6_MTU && addresses.stream().anyMatch(Cidr::isIpv6)) {
            Node at = map.value("mtu") != null ? map.value("mtu") : node;
            problems.at(at, map.field("mtu"), "must be at least " + MIN_IPV6_MTU + " with IPv6 addresses, got " + mtu);
            mtu = null;
        }
        Routing routing = new Routing(flag(map, "default-route", false),
                map.integer("fwmark", 0, ForcedTunnel.MAX_FWMARK, null, " (0 = none)"),
                map.integer("table", 1, ForcedTunnel.MAX_TABLE, null, ""),
                map.integer("rule-priority", 1, ForcedTunnel.MAX_RULE_PRIORITY, null, ""));
        Trust trust = trust(map);
        CertifiedPeer own = map.value("certificate") == null ? null : certifiedPeer(map, siteName, trust,
                "an overlay's certificate is this site's own, so its site name must be site:");
        List<Item<PeerDraft>> peers = map.items("peers", (peerNode, peerPath) -> peer(peerNode, peerPath, trust));
        checkPeersDistinct(peers);
        checkEndpointsOutsideTunnel(peers, addresses, map);
        List<Item<SegmentConfig>> segments = map.items("segments", this::segment);
        List<PeerConfig> peerConfigs = peers.stream().map(item -> item.value().config()).toList();
        checkSegments(segments, peerConfigs, addresses, device, map, node);
        ForcedTunnel forced = forcedTunnel(map, node, routing, listenPort, peerConfigs);
        if (name == null || device == null || listenPort == null || mtu == null || routing.defaultRoute() == null
                || (map.value("fwmark") != null && routing.fwmark() == null)) {
            return null;
        }
        long fwmark = routing.fwmark() != null ? routing.fwmark() : forced != null ? forced.fwmark() : 0;
        return new OverlayDraft(new OverlayConfig(name, device, listenPort.intValue(), addresses, mtu.intValue(),
                peerConfigs, Item.values(segments), trust == null ? null : trust.ca(),
                trust == null ? null : trust.crl(), own == null ? null : own.file(), validity(trust, own),
                fwmark, forced), map);
    }

    /** When the overlay's PKI runs out, as just read; null without {@code ca:} (or one that could not be used). */
    private static PkiValidity validity(Trust trust, CertifiedPeer own) {
        if (trust == null || trust.verifier() == null) {
            return null;
        }
        return new PkiValidity(trust.verifier().caNotAfter(), trust.verifier().crlNextUpdate(),
                own == null ? null : own.notAfter());
    }

    /**
     * {@code default-route: true}: the default route of each family some peer's allowed-ips hold as a /0, in a table
     * of its own ({@code table:}, default the listen port, as unique on a host as the port), chosen by rules at
     * {@code rule-priority:} for every packet without the overlay's {@code fwmark:} (default the table). Null when off
     * or wrong (reported); {@code table:} and {@code rule-priority:} mean nothing without it.
     */
    private ForcedTunnel forcedTunnel(MappingReader map, Node node, Routing routing, Long listenPort,
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

    /**
     * A peer's endpoint (an IP literal; a name is not known until it is resolved) must not lie inside a prefix this
     * overlay routes through its own device, in the main table: an allowed-ips prefix other than a /0 (a /0 goes in
     * the forced tunnel's table, which the socket's mark escapes) or the subnet of an overlay address. The tunnel's
     * datagrams to it would enter the tunnel, whatever their mark.
     */
    private void checkEndpointsOutsideTunnel(List<Item<PeerDraft>> peers, List<Cidr> addresses, MappingReader overlay) {
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

    private PeerDraft peer(Node node, String path, Trust trust) {
        MappingReader map = MappingReader.of(node, path, problems, PEER_KEYS);
        if (map == null) {
            return null;
        }
        String name = name(map, "name");
        String publicKey;
        List<Item<Cidr>> allowedIps;
        Path certificate = null;
        Instant notAfter = null;
        if (map.value("certificate") == null) {
            publicKey = map.string("public-key", true);
            if (publicKey != null && !isPublicKey(publicKey)) {
                problems.at(map.value("public-key"), map.field("public-key"), "must be a " + KEY_BYTES
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
            CertifiedPeer certified = certifiedPeer(map, name, trust, "the peer name must match the site name");
            publicKey = certified == null ? null : certified.publicKey();
            allowedIps = certified == null ? List.of() : certified.allowedIps();
            certificate = certified == null ? null : certified.file();
            notAfter = certified == null ? null : certified.notAfter();
        }
        Path presharedKeyFile = keyFile(map, "preshared-key-file", false);
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

    /** An overlay's site PKI: {@code verifier} is null when {@code ca:} or {@code crl:} could not be used (reported). */
    private record Trust(Path ca, Path crl, CertificateVerifier verifier) {
    }

    /** What a verified certificate supplies for a peer; its allowed-ips point at the {@code certificate:} line. */
    private record CertifiedPeer(Path file, String publicKey, List<Item<Cidr>> allowedIps, Instant notAfter) {
    }

    /** {@code ca:} and {@code crl:} of an overlay; null if there is no {@code ca:}. */
    private Trust trust(MappingReader map) {
        Path ca = path(map, "ca");
        Path crl = path(map, "crl");
        if (map.value("ca") == null) {
            if (map.value("crl") != null) {
                problems.at(map.value("crl"), map.field("crl"), "needs ca: (the CA that signed this revocation list)");
            }
            return null;
        }
        String caPem = ca == null ? null : pemFile(map, "ca", ca);
        String crlPem = crl == null ? null : pemFile(map, "crl", crl);
        if (caPem == null || (map.value("crl") != null && crlPem == null)) {
            return new Trust(ca, crl, null);
        }
        try {
            CertificateVerifier.of(caPem, null);
        } catch (PkiException e) {
            problems.at(map.value("ca"), map.field("ca"), ca + ": " + e.getMessage());
            return new Trust(ca, crl, null);
        }
        try {
            return new Trust(ca, crl, CertificateVerifier.of(caPem, crlPem));
        } catch (PkiException e) {
            problems.at(map.value("crl"), map.field("crl"), crl + ": " + e.getMessage());
            return new Trust(ca, crl, null);
        }
    }

    /**
     * {@code certificate:} (a peer's, or on an overlay this site's own) checked against the overlay's CA (and CRL) at
     * {@link #now} and for site {@code name}; null if refused (reported).
     */
    private CertifiedPeer certifiedPeer(MappingReader map, String name, Trust trust, String mismatchHint) {
        Node at = map.value("certificate");
        String field = map.field("certificate");
        Path file = path(map, "certificate");
        if (file == null) {
            return null;
        }
        if (trust == null) {
            problems.at(at, field, "needs the overlay to name ca: (the CA certificate to check it against)");
            return null;
        }
        String pem = pemFile(map, "certificate", file);
        if (pem == null || trust.verifier() == null) {
            return null;
        }
        Verdict verdict = trust.verifier().verify(pem, now);
        if (!verdict.ok()) {
            problems.at(at, field, verdict.message());
            return null;
        }
        SiteCertificate certificate = verdict.certificate();
        if (name != null && !certificate.site().equals(name)) {
            problems.at(at, field, "certificate is for site \"" + certificate.site() + "\", not \"" + name
                    + "\"; " + mismatchHint);
            return null;
        }
        List<Item<Cidr>> allowedIps = new ArrayList<>();
        for (String text : certificate.allowedIps()) {
            try {
                allowedIps.add(new Item<>(Cidr.parse(text), at, field));
            } catch (IllegalArgumentException e) {
                problems.at(at, field, "allowed-ips in the certificate: " + e.getMessage());
                return null;
            }
        }
        return new CertifiedPeer(file, Base64.getEncoder().encodeToString(certificate.publicKey()), allowedIps,
                certificate.notAfter());
    }

    /** An optional path, resolved against the config's folder; null if absent or invalid (reported). */
    private Path path(MappingReader map, String key) {
        String text = map.string(key, false);
        if (text == null) {
            return null;
        }
        try {
            return folder.resolve(text).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            problems.at(map.value(key), map.field(key), "not a valid path: " + e.getReason());
            return null;
        }
    }

    /** The text of a PEM file (certificate or CRL, not a secret); null if unreadable (reported). */
    private String pemFile(MappingReader map, String key, Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_PKI_FILE_BYTES + 1);
            if (bytes.length > MAX_PKI_FILE_BYTES) {
                problems.at(map.value(key), map.field(key), path + ": larger than 1 MiB; not a certificate or CRL");
                return null;
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            problems.at(map.value(key), map.field(key), path + ": file not found");
        } catch (IOException e) {
            problems.at(map.value(key), map.field(key), path + ": cannot read: " + e.getMessage());
        }
        return null;
    }

    private SegmentConfig segment(Node node, String path) {
        MappingReader map = MappingReader.of(node, path, problems, SEGMENT_KEYS);
        if (map == null) {
            return null;
        }
        String name = name(map, "name");
        Long vni = map.integer("vni", 1, MAX_VNI, null, "");
        if (vni == null && map.value("vni") == null) {
            map.require("vni");
        }
        String device = interfaceName(map, "device", true);
        String bridge = interfaceName(map, "bridge", false);
        List<String> peers = Item.values(map.items("peers", MappingReader.scalarItem(problems, text -> text)));
        Integer mss = mssClamp(map);
        Long aging = map.integer("mac-aging", 10, 86_400, (long) SegmentConfig.DEFAULT_MAC_AGING_SECONDS, " seconds");
        Long tableSize = map.integer("mac-table-size", 16, 1_000_000, (long) SegmentConfig.DEFAULT_MAC_TABLE_SIZE, " entries");
        Boolean relay = flag(map, "relay", false);
        Long floodLimit = map.integer("flood-limit", 0, 10_000_000, (long) SegmentConfig.DEFAULT_FLOOD_LIMIT,
                " frames per second (0 = off)");
        Boolean arpSuppression = flag(map, "arp-suppression", true);
        SegmentConfig.DhcpPolicy dhcp = dhcpPolicy(map);
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

    /** {@code true} or {@code false}; {@code absent} if absent, null (reported) if anything else. */
    private Boolean flag(MappingReader map, String key, boolean absent) {
        Node value = map.value(key);
        if (value == null) {
            return absent;
        }
        String text = map.string(key, false);
        if (text == null) {
            return null;
        }
        switch (text) {
            case "true": return true;
            case "false": return false;
            default:
                problems.at(value, map.field(key), "must be true or false, got \"" + text + "\"");
                return null;
        }
    }

    /** {@code allow} (default) or {@code block}. */
    private SegmentConfig.DhcpPolicy dhcpPolicy(MappingReader map) {
        Node value = map.value("dhcp");
        if (value == null) {
            return SegmentConfig.DhcpPolicy.ALLOW;
        }
        String text = map.string("dhcp", false);
        if (text == null) {
            return null;
        }
        switch (text) {
            case "allow": return SegmentConfig.DhcpPolicy.ALLOW;
            case "block": return SegmentConfig.DhcpPolicy.BLOCK;
            default:
                problems.at(value, map.field("dhcp"), "must be allow or block, got \"" + text + "\"");
                return null;
        }
    }

    private String interfaceName(MappingReader map, String key, boolean required) {
        String value = map.string(key, required);
        if (value != null && InterfaceName.problem(value) != null) {
            problems.at(map.value(key), map.field(key), InterfaceName.problem(value));
            return null;
        }
        return value;
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

    /** Segment names, VNIs and devices differ; listed peers exist and have a VTEP; the overlay has an IPv4 VTEP. */
    private void checkSegments(List<Item<SegmentConfig>> segments, List<PeerConfig> peers, List<Cidr> addresses,
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

    private void requireNonEmptyList(MappingReader map, String key) {
        // A value that is not a list is reported once, by the items() that reads it.
        if (map.require(key) && map.value(key) instanceof SequenceNode list && list.getValue().isEmpty()) {
            problems.at(map.value(key), map.field(key), "must list at least one");
        }
    }

    /** A required name matching [a-z0-9-]{1,32}. */
    private String name(MappingReader map, String key) {
        String name = map.string(key, true);
        if (name != null && !NAME.matcher(name).matches()) {
            problems.at(map.value(key), map.field(key), NAME_RULE + ", got \"" + name + "\"");
            return null;
        }
        return name;
    }

    /** A key file path, resolved against the config's folder, checked to exist, be private and hold a key. */
    private Path keyFile(MappingReader map, String key, boolean required) {
        String text = map.string(key, required);
        if (text == null) {
            return null;
        }
        Path path;
        try {
            path = folder.resolve(text).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            problems.at(map.value(key), map.field(key), "not a valid path: " + e.getReason());
            return null;
        }
        String problem = KeyFiles.problem(path);
        if (problem == null) {
            try {
                KeyFiles.decodeSecret(path, PresharedKey::fromBase64);  // any 32 bytes: a private or preshared key
            } catch (KeyFormatException e) {
                problem = "does not hold a " + KEY_BYTES + "-byte base64 key";
            } catch (IOException e) {
                problem = "cannot read: " + e.getMessage();
            }
        }
        if (problem != null) {
            problems.at(map.value(key), map.field(key), path + ": " + problem);
        }
        return path;
    }

    /**
     * At most one overlay of a site forces the default route: two default routes cannot both win. The others'
     * sockets carry its mark unless they name their own {@code fwmark:}, so their datagrams leave by the underlay
     * rather than through the forced tunnel.
     */
    private List<Item<OverlayDraft>> markBehindForcedTunnel(List<Item<OverlayDraft>> overlays) {
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
    private void checkOverlaysDistinct(List<Item<OverlayDraft>> overlays) {
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
    private void checkPeersDistinct(List<Item<PeerDraft>> peers) {
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
