package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.route.Cidr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a site config: the file is read and composed to a YAML node tree in which every value keeps its line and
 * column ({@link ConfigText}), and mapped by hand into immutable records: the site's own keys here, each overlay by
 * {@link OverlayReader} (its PKI by {@link PkiReader}, its routing by {@link RoutingReader}), and the checks that
 * span several records by {@link ConfigChecks}. Every error found is reported, each as
 * {@code FILE:LINE:COL: field: message}; nothing here throws a stack trace at a user.
 */
public final class ConfigLoader {
    /** Room for some 40,000 peers written one field a line: a hub's config, with room to spare. */
    public static final int MAX_FILE_BYTES = ConfigText.MAX_FILE_BYTES;

    /** sun_path is 108 bytes including the terminating NUL. */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private static final List<String> SITE_KEYS =
            List.of("site", "private-key-file", "overlays", "control-socket", "metrics", "ha");
    private static final List<String> METRICS_KEYS = List.of("listen");
    private static final List<String> HA_KEYS = List.of("follow-address");

    private final Path file;
    private final Path folder;
    private final Problems problems;
    /** The instant site certificates must be valid at. */
    private final Instant now;

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
        ConfigText config = new ConfigText(file, problems);
        String text = config.read();
        problems.throwIfAny();
        Node root = config.compose(text);
        problems.throwIfAny();
        if (root == null) {
            problems.inFile("file is empty");
            problems.throwIfAny();
        }
        SiteConfig site = site(root);
        problems.throwIfAny();
        return site;
    }

    private SiteConfig site(Node root) {
        MappingReader map = MappingReader.of(root, "", problems, SITE_KEYS);
        if (map == null) {
            return null;
        }
        String site = map.name("site");
        Path privateKeyFile = map.keyFile("private-key-file", true, folder);
        map.requireNonEmptyList("overlays");
        ConfigChecks checks = new ConfigChecks(problems);
        OverlayReader overlayReader = new OverlayReader(folder, problems, now, site);
        List<Item<OverlayDraft>> overlays = checks.markBehindForcedTunnel(map.items("overlays", overlayReader::overlay));
        checks.checkOverlaysDistinct(overlays);
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
        if (map.value("control-socket") == null) {
            return site == null ? null : SiteConfig.defaultControlSocket(site);
        }
        Path path = map.path("control-socket", false, folder);
        if (path == null) {
            return null;
        }
        String text = map.string("control-socket", false);  // a scalar: path() has read it
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

}
