package io.ocbridge.core.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.ocbridge.core.config.ConfigError;
import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.control.ReloadReply;
import io.ocbridge.core.device.DeviceReader;
import io.ocbridge.core.ha.FollowAddressWatch;
import io.ocbridge.core.ha.HaState;
import io.ocbridge.core.ha.Role;
import io.ocbridge.core.log.Log;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

/**
 * The ocbridge daemon for one site: every overlay of the site config, up until {@link #close()}.
 *
 * <p><b>Threads — who touches what.</b>
 * <ul>
 *   <li>One Netty epoll event loop owns the UDP sockets, the TUN and TAP devices (their descriptors are in
 *       the loop's epoll set: {@link DeviceReader}) and all overlay state: peers, sessions, index tables,
 *       timers (a 20 ms tick on the same loop), staged packets, and each overlay's {@link CertificateWatch}
 *       (a 1 s check of the site PKI's deadlines, which removes an expired peer there). Single writer, no locks, no
 *       hand-over between threads on the data path. Handshakes (X25519, BLAKE2s) also run there, apart from data:
 *       each message is queued (bounded, fair across source addresses) and answered after the read burst, within a
 *       quarter of the loop's time ({@code overlay.Handshaker}); under load initiators must present cookies.</li>
 *   <li>One platform thread accepts on the control socket ({@link ControlPlane}), a virtual thread serves each
 *       connection; they read overlay state only as snapshots taken on the event loop. Metrics have one HTTP
 *       thread that reads the counters below.</li>
 *   <li>With {@code ha}, the thread of {@link FollowAddressWatch} (rtnetlink events, and a look every 250 ms)
 *       decides the role; a change reaches each overlay as one task on its event loop
 *       ({@code Overlay.activate}/{@code standBy}), and status and metrics read it from {@link HaState}.</li>
 *   <li>The caller's thread starts and stops the daemon. Counters (peer rx/tx, drops) are readable
 *       from any thread.</li>
 *   <li>{@link #reload()} runs on a control thread (a control connection, or the SIGHUP thread), one at a time: it
 *       loads and checks the config off the loop, reads keys and resolves endpoints, then hands each overlay its peer
 *       and segment changes as one task on its event loop; TAP devices are created, moved between bridges and deleted
 *       on the control thread before and after it ({@code OverlayRuntime.applyChanges}). Overlays are started and
 *       stopped there too; the list of running overlays is an immutable snapshot that reload replaces.</li>
 * </ul>
 *
 * <p>systemd: with {@code $NOTIFY_SOCKET} set, {@code READY=1} goes out once every overlay is up, {@code RELOADING=1}
 * and {@code READY=1} around each reload, {@code STOPPING=1} when {@link #close()} begins.
 */
public final class Daemon implements AutoCloseable {
    private final Log log;
    private final EventLoopGroup group;
    private final LocalIdentity identity;
    private final SystemdNotifier systemd;
    /** The config running now (a reload's applied part); written under this object's lock. */
    private volatile SiteConfig config;
    /** Immutable snapshot of the running overlays; replaced under this object's lock. */
    private volatile List<OverlayRuntime> overlays = List.of();
    private ControlPlane controlPlane;
    /** Null without HA. */
    private final FollowAddressWatch haWatch;
    private final HaState ha;
    private boolean closed;

    private Daemon(SiteConfig config, Log log, EventLoopGroup group, LocalIdentity identity, SystemdNotifier systemd,
            FollowAddressWatch haWatch) {
        this.config = config;
        this.log = log;
        this.group = group;
        this.identity = identity;
        this.systemd = systemd;
        this.haWatch = haWatch;
        this.ha = haWatch == null ? HaState.alwaysActive() : haWatch.state();
    }

    /** Brings every overlay up; on failure, tears down what was started and throws. */
    public static Daemon start(SiteConfig config) throws DaemonException {
        return start(config, SystemdNotifier.fromEnvironment());
    }

    /** As {@link #start(SiteConfig)}, telling {@code systemd} when it is ready. */
    public static Daemon start(SiteConfig config, SystemdNotifier systemd) throws DaemonException {
        Log log = Log.with("site=" + config.site());
        if (!Epoll.isAvailable()) {
            throw new DaemonException("native epoll transport unavailable: " + Epoll.unavailabilityCause());
        }
        LocalIdentity identity = loadIdentity(config);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        FollowAddressWatch watch = config.ha() == null ? null : FollowAddressWatch.start(config.ha().followAddress(), log);
        Daemon daemon = new Daemon(config, log, group, identity, systemd, watch);
        try {
            List<OverlayRuntime> started = new ArrayList<>();
            for (OverlayConfig overlay : config.overlays()) {
                started.add(daemon.startOverlay(overlay));
                daemon.overlays = List.copyOf(started);
            }
            if (watch != null) {
                watch.listen(daemon::followRole);  // also re-applies the role, which may have changed meanwhile
            }
            daemon.controlPlane = ControlPlane.start(config, () -> daemon.overlays, daemon.ha, daemon::reloadReply, log);
        } catch (DaemonException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        log.info("daemon-up", "overlays=" + config.overlays().size());
        daemon.notifySystemd("READY=1\nSTATUS=" + daemon.statusLine());
        return daemon;
    }

    private OverlayRuntime startOverlay(OverlayConfig overlay) throws DaemonException {
        return OverlayRuntime.start(config.site(), overlay, identity, group.next(), log, ha.followAddress(), ha.role() == Role.ACTIVE);
    }

    /** The HA watch saw a new role (or confirms the current one): every running overlay follows. Idempotent. */
    private void followRole(Role role) {
        for (OverlayRuntime runtime : overlays) {
            runtime.role(role == Role.ACTIVE);
        }
        notifySystemd("STATUS=" + statusLine());
    }

    private String statusLine() {
        SiteConfig running = config;
        int peers = running.overlays().stream().mapToInt(o -> o.peers().size()).sum();
        return "site " + running.site() + ": " + running.overlays().size() + " overlays, " + peers + " peers"
                + (running.ha() == null ? "" : ", " + ha.role().label());
    }

    private void notifySystemd(String state) {
        try {
            systemd.notify(state);
        } catch (IOException | RuntimeException e) {
            log.warn("systemd-notify-failed", "state=" + state.lines().findFirst().orElse("") + " error=" + e.getMessage());
        }
    }

    /**
     * Loads the config file again and applies the difference live (see {@link ConfigDiff}). An invalid config, or one
     * whose keys or endpoints cannot be read, changes nothing. One reload at a time; control threads only.
     */
    public synchronized ReloadReply reload() {
        if (closed) {
            return new ReloadReply(ReloadReply.Outcome.FAILED, List.of("the daemon is stopping"));
        }
        notifySystemd("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1_000);
        try {
            ReloadReply reply = reloadNow();
            log.info("reload-" + reply.outcome().name().toLowerCase(), "changes=" + reply.lines().size());
            if (reply.outcome() != ReloadReply.Outcome.INVALID && controlPlane != null) {
                controlPlane.rebindMetrics();  // peers and overlays may have come or gone
            }
            return reply;
        } finally {
            notifySystemd("READY=1\nSTATUS=" + statusLine());
        }
    }

    private ReloadReply reloadReply() {
        return reload();
    }

    private ReloadReply reloadNow() {
        SiteConfig loaded;
        try {
            loaded = ConfigLoader.load(config.source());
        } catch (ConfigException e) {
            List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
            log.warn("reload-refused", "reason=invalid-config errors=" + errors.size());
            errors.forEach(error -> log.warn("config-error", "error=\"" + error + "\""));
            return new ReloadReply(ReloadReply.Outcome.INVALID, errors);
        }
        Map<String, OverlayRuntime> byName = new HashMap<>();
        for (OverlayRuntime runtime : overlays) {
            byName.put(runtime.config().name(), runtime);
        }
        // Peers the site PKI refused are not running: the diff sees them as absent, so a reload that verified a renewed
        // certificate (or a fresh CRL) adds them again, and their sessions start with a handshake.
        Map<String, Set<String>> refused = refusedPeers(byName);
        ConfigDiff diff = ConfigDiff.between(withoutRefused(config, refused), loaded, (overlay, peer) -> {
            OverlayRuntime runtime = byName.get(overlay);
            return runtime != null && runtime.presharedKeyChanged(peer);
        });
        List<String> restart = new ArrayList<>(diff.restartRequired());
        if (!loaded.privateKeyFile().equals(config.privateKeyFile()) || !identityMatches(loaded)) {
            if (!restart.contains("private-key-file")) {
                restart.add("private-key-file");
            }
        }
        // Everything that can fail without touching the running state comes first: keys and endpoints.
        Map<String, Map<String, OverlayRuntime.ResolvedPeer>> resolved = new HashMap<>();
        try {
            for (ConfigDiff.Change change : diff.changes()) {
                PeerConfig peer = switch (change) {
                    case ConfigDiff.PeerAdded c -> c.peer();
                    case ConfigDiff.PeerReplaced c -> c.after();
                    case ConfigDiff.PeerUpdated c -> c.after();
                    default -> null;
                };
                if (peer != null) {
                    resolved.computeIfAbsent(change.overlay(), o -> new HashMap<>())
                            .put(peer.name(), OverlayRuntime.resolve(change.overlay(), peer));
                }
                if (change instanceof ConfigDiff.OverlayAdded added) {
                    for (PeerConfig p : added.config().peers()) {
                        OverlayRuntime.resolve(added.overlay(), p);
                    }
                }
            }
        } catch (DaemonException e) {
            log.warn("reload-refused", "reason=\"" + e.getMessage() + "\"");
            return new ReloadReply(ReloadReply.Outcome.FAILED, List.of(e.getMessage()));
        }
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<OverlayRuntime> running = new ArrayList<>(overlays);
        for (ConfigDiff.Change change : diff.changes()) {
            if (change instanceof ConfigDiff.OverlayRemoved removed) {
                OverlayRuntime runtime = byName.get(removed.overlay());
                running.remove(runtime);
                overlays = List.copyOf(running);
                runtime.close();
                lines.add("overlay-removed overlay=" + removed.overlay());
            }
        }
        Map<String, List<ConfigDiff.Change>> peerChanges = new LinkedHashMap<>();
        for (ConfigDiff.Change change : diff.changes()) {
            if (!(change instanceof ConfigDiff.OverlayAdded) && !(change instanceof ConfigDiff.OverlayRemoved)) {
                peerChanges.computeIfAbsent(change.overlay(), o -> new ArrayList<>()).add(change);
            }
        }
        List<OverlayConfig> appliedOverlays = new ArrayList<>(diff.applied().overlays());
        for (Map.Entry<String, List<ConfigDiff.Change>> entry : peerChanges.entrySet()) {
            OverlayRuntime runtime = byName.get(entry.getKey());
            OverlayConfig next = diff.applied().overlays().stream().filter(o -> o.name().equals(entry.getKey()))
                    .findFirst().orElseThrow();
            try {
                List<String> partial = runtime.applyChanges(entry.getValue(), next,
                        resolved.getOrDefault(entry.getKey(), Map.of()));
                entry.getValue().forEach(change -> lines.add(describe(change)));
                failures.addAll(partial);
                appliedOverlays.set(appliedOverlays.indexOf(next), runtime.config());  // without a segment that failed
            } catch (DaemonException e) {
                failures.add(e.getMessage());
                appliedOverlays.set(appliedOverlays.indexOf(next), runtime.config());
                refused.remove(entry.getKey());  // nothing was applied: its site PKI keeps watching what runs
            }
        }
        for (ConfigDiff.Change change : diff.changes()) {
            if (change instanceof ConfigDiff.OverlayAdded added) {
                try {
                    running.add(startOverlay(added.config()));
                    overlays = List.copyOf(running);
                    lines.add("overlay-added overlay=" + added.overlay());
                } catch (DaemonException e) {
                    failures.add(e.getMessage());
                    appliedOverlays.remove(added.config());
                }
            }
        }
        config = config.withOverlays(appliedOverlays);
        for (OverlayConfig applied : appliedOverlays) {
            OverlayRuntime runtime = byName.get(applied.name());
            if (runtime != null && running.contains(runtime) && refused.containsKey(applied.name())) {
                try {
                    runtime.certificatesReloaded(applied, refused.getOrDefault(applied.name(), Set.of()));
                } catch (DaemonException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        for (String field : restart) {
            lines.add("restart-required " + field);
            log.warn("restart-required", "field=\"" + field + "\"");
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> log.warn("reload-failed", "reason=\"" + f + "\""));
            lines.addAll(failures.stream().map(f -> "failed " + f).toList());
            return new ReloadReply(ReloadReply.Outcome.FAILED, lines);
        }
        return new ReloadReply(ReloadReply.Outcome.OK, lines);
    }

    /** The peers each running overlay's site PKI refused, by overlay name. */
    private static Map<String, Set<String>> refusedPeers(Map<String, OverlayRuntime> byName) {
        Map<String, Set<String>> refused = new HashMap<>();  // mutable: an overlay whose reload failed leaves it
        byName.forEach((name, runtime) -> refused.put(name, runtime.certificates().refused().stream()
                .map(CertificateWatch.Refusal::peer).collect(Collectors.toUnmodifiableSet())));
        return refused;
    }

    /** {@code site} without the refused peers: what actually runs. */
    static SiteConfig withoutRefused(SiteConfig site, Map<String, Set<String>> refused) {
        List<OverlayConfig> result = new ArrayList<>();
        for (OverlayConfig overlay : site.overlays()) {
            Set<String> out = refused.getOrDefault(overlay.name(), Set.of());
            result.add(out.isEmpty() ? overlay
                    : overlay.withPeers(overlay.peers().stream().filter(p -> !out.contains(p.name())).toList()));
        }
        return site.withOverlays(result);
    }

    /** One line per change, as the reload reply lists it. */
    static String describe(ConfigDiff.Change change) {
        return switch (change) {
            case ConfigDiff.OverlayAdded c -> "overlay-added overlay=" + c.overlay();
            case ConfigDiff.OverlayRemoved c -> "overlay-removed overlay=" + c.overlay();
            case ConfigDiff.PeerAdded c -> "peer-added overlay=" + c.overlay() + " peer=" + c.peer().name();
            case ConfigDiff.PeerRemoved c -> "peer-removed overlay=" + c.overlay() + " peer=" + c.peer().name();
            case ConfigDiff.PeerReplaced c -> "peer-replaced overlay=" + c.overlay() + " peer=" + c.after().name()
                    + " reason=" + c.reason();
            case ConfigDiff.PeerUpdated c -> "peer-updated overlay=" + c.overlay() + " peer=" + c.after().name()
                    + " fields=" + String.join(",", c.fields().stream().sorted().map(ConfigDiff.Field::key).toList());
            case ConfigDiff.RoutingChanged c -> "routing-changed overlay=" + c.overlay() + " fwmark=" + c.fwmarkAfter()
                    + " default-route=" + (c.after() == null ? "off" : "on table=" + c.after().table());
            case ConfigDiff.SegmentAdded c -> "segment-added overlay=" + c.overlay() + " segment=" + c.segment().name()
                    + " vni=" + c.segment().vni();
            case ConfigDiff.SegmentRemoved c -> "segment-removed overlay=" + c.overlay() + " segment="
                    + c.segment().name();
            case ConfigDiff.SegmentReplaced c -> "segment-replaced overlay=" + c.overlay() + " segment="
                    + c.after().name() + " reason=" + c.reason();
            case ConfigDiff.SegmentUpdated c -> "segment-updated overlay=" + c.overlay() + " segment="
                    + c.after().name() + " fields=" + ConfigDiff.SegmentField.keys(c.fields());
        };
    }

    private boolean identityMatches(SiteConfig loaded) {
        try {
            return loadIdentity(loaded).publicKey().equals(identity.publicKey());
        } catch (DaemonException e) {
            return false;
        }
    }

    private static LocalIdentity loadIdentity(SiteConfig config) throws DaemonException {
        try {
            return new LocalIdentity(KeyFiles.decodeSecret(config.privateKeyFile(), PrivateKey::fromBase64));
        } catch (IOException | KeyFormatException e) {
            throw new DaemonException("private-key-file " + config.privateKeyFile() + ": " + e.getMessage(), e);
        }
    }

    public SiteConfig config() {
        return config;
    }

    /** Stops every overlay (devices and routes removed, keys zeroed) and the event loop. */
    @Override
    public void close() {
        notifySystemd("STOPPING=1");
        if (haWatch != null) {
            haWatch.close();
        }
        if (controlPlane != null) {
            controlPlane.close();  // first: no reload can start once this returns
        }
        synchronized (this) {
            closed = true;
            List<OverlayRuntime> running = overlays;
            overlays = List.of();
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        log.info("daemon-down", "");
    }
}
