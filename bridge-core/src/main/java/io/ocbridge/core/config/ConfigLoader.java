package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.device.InterfaceName;
import io.ocbridge.core.route.Cidr;
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
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a site config: YAML is composed to a node tree (every value keeps its line and column)
 * and mapped by hand into immutable records. Every error found is reported, each as
 * {@code FILE:LINE:COL: field: message}; nothing here throws a stack trace at a user.
 */
public final class ConfigLoader {

    public static final int MAX_FILE_BYTES = 1 << 20;
    private static final int MAX_ALIASES = 16;
    private static final int MAX_NESTING = 16;

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");
    private static final String NAME_RULE = "must be 1..32 characters of a-z, 0-9 and -";
    private static final int KEY_BYTES = 32;
    private static final int KEY_BASE64_CHARS = 44;
    private static final int MIN_MTU = 576;
    private static final int MIN_IPV6_MTU = 1280;
    private static final int MAX_MTU = 9000;

    private static final List<String> SITE_KEYS = List.of("site", "private-key-file", "overlays");
    private static final List<String> OVERLAY_KEYS =
            List.of("name", "device", "listen-port", "addresses", "mtu", "peers");
    private static final List<String> PEER_KEYS = List.of(
            "name", "public-key", "preshared-key-file", "endpoint", "allowed-ips", "persistent-keepalive");

    private final Path file;
    private final Path folder;
    private final Problems problems;

    private ConfigLoader(Path file) {
        this.file = file;
        this.folder = file.toAbsolutePath().normalize().getParent();
        this.problems = new Problems(file);
    }

    /** Loads and checks {@code file}; relative key-file paths resolve against its folder. */
    public static SiteConfig load(Path file) throws ConfigException {
        return new ConfigLoader(file).load();
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
            problems.inFile("larger than 1 MiB; refusing to load");
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

    /** A peer as read, with its reader and allowed-ips nodes kept for the cross-peer checks. */
    private record PeerDraft(PeerConfig config, MappingReader map, List<Item<Cidr>> allowedIps) {
    }

    private SiteConfig site(Node root) {
        MappingReader map = MappingReader.of(root, "", problems, SITE_KEYS);
        if (map == null) {
            return null;
        }
        String site = name(map, "site");
        Path privateKeyFile = keyFile(map, "private-key-file", true);
        requireNonEmptyList(map, "overlays");
        List<Item<OverlayDraft>> overlays = map.items("overlays", this::overlay);
        checkOverlaysDistinct(overlays);
        if (problems.any()) {
            return null;
        }
        return new SiteConfig(file, site, privateKeyFile,
                overlays.stream().map(item -> item.value().config()).toList());
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
        List<Item<PeerDraft>> peers = map.items("peers", this::peer);
        checkPeersDistinct(peers);
        if (name == null || device == null || listenPort == null || mtu == null) {
            return null;
        }
        List<PeerConfig> peerConfigs = peers.stream().map(item -> item.value().config()).toList();
        return new OverlayDraft(
                new OverlayConfig(name, device, listenPort.intValue(), addresses, mtu.intValue(), peerConfigs), map);
    }

    private PeerDraft peer(Node node, String path) {
        MappingReader map = MappingReader.of(node, path, problems, PEER_KEYS);
        if (map == null) {
            return null;
        }
        String name = name(map, "name");
        String publicKey = map.string("public-key", true);
        if (publicKey != null && !isKey(publicKey)) {
            problems.at(map.value("public-key"), map.field("public-key"), "must be a " + KEY_BYTES
                    + "-byte key in standard base64 (" + KEY_BASE64_CHARS + " characters, as printed by wg pubkey)");
            publicKey = null;
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
        List<Item<Cidr>> allowedIps = map.items("allowed-ips", MappingReader.scalarItem(problems, Cidr::parse));
        Long keepalive = map.integer("persistent-keepalive", 0, 65535, 0L, " seconds (0 = off)");
        if (name == null || publicKey == null || keepalive == null) {
            return null;
        }
        PeerConfig config = new PeerConfig(name, publicKey, presharedKeyFile, endpoint,
                Item.values(allowedIps), keepalive.intValue());
        return new PeerDraft(config, map, allowedIps);
    }

    private void requireNonEmptyList(MappingReader map, String key) {
        if (map.require(key)) {
            List<Node> items = map.list(key);
            if (items != null && items.isEmpty()) {
                problems.at(map.value(key), map.field(key), "must list at least one");
            }
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
                if (!isKey(KeyFiles.readSecret(path))) {
                    problem = "does not hold a " + KEY_BYTES + "-byte base64 key";
                }
            } catch (IOException e) {
                problem = "cannot read: " + e.getMessage();
            }
        }
        if (problem != null) {
            problems.at(map.value(key), map.field(key), path + ": " + problem);
        }
        return path;
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

    /** Within an overlay, peer names and public keys must differ and allowed-ips must not overlap. */
    private void checkPeersDistinct(List<Item<PeerDraft>> peers) {
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
                    problems.at(map.value("public-key"), map.field("public-key"),
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

    private static Item<Cidr> firstOverlap(Cidr prefix, List<Item<PeerDraft>> peers) {
        for (Item<PeerDraft> peer : peers) {
            for (Item<Cidr> other : peer.value().allowedIps()) {
                if (prefix.overlaps(other.value())) {
                    return other;
                }
            }
        }
        return null;
    }

    private static boolean isKey(String text) {
        if (text.length() != KEY_BASE64_CHARS || !text.endsWith("=")) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(text).length == KEY_BYTES;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
