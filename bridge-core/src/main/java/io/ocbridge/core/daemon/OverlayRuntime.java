package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.SegmentConfig;
import io.ocbridge.core.device.DeviceReader;
import io.ocbridge.core.device.LinkConfigurator;
import io.ocbridge.core.device.PolicyRouting;
import io.ocbridge.core.device.ReversePathFilter;
import io.ocbridge.core.device.RouteSync;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.device.TunOverlayIo;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.PacketLayout;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.route.ForcedTunnel;
import io.ocbridge.core.transport.UdpTransport;
import io.ocbridge.core.uapi.OverlayUapi;
import io.ocbridge.core.uapi.UapiException;
import io.ocbridge.core.uapi.UapiServer;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One overlay brought up for real: its TUN device (address, MTU, routes), its UDP socket, the
 * device reader on the event loop, the timer tick and, with {@code default-route: true}, the forced tunnel's
 * policy routing ({@link PolicyRouting}). {@link #close()} undoes all of it.
 */
final class OverlayRuntime implements AutoCloseable {
    /**
     * Timer resolution. Fine enough that two gateways' retransmit jitter (0..333 ms) rarely lands
     * in the same tick, which would make crossing initiations collide again.
     */
    private static final long TICK_MILLIS = 20;

    /** How often the site PKI's deadlines are looked at: the granularity of refusing an expired peer. */
    private static final long CERTIFICATE_CHECK_MILLIS = 1_000;

    /** How long a reload waits for the event loop to apply one overlay's peer changes. */
    private static final long RELOAD_TASK_MILLIS = 5_000;

    /** The config this overlay runs; replaced by a reload (control thread), read by the control thread. */
    private volatile OverlayConfig config;
    /** SHA-256 of each peer's preshared key as last read, to see a key file rewritten in place. Control thread. */
    private final Map<String, String> pskDigests = new ConcurrentHashMap<>();
    private final TunDevice device;
    private final TunOverlayIo io;
    private final Overlay overlay;
    private final EventLoop loop;
    private final Log log;
    private final LinkConfigurator link = LinkConfigurator.current();
    /** The running segments by name; control thread (a reload changes it while the loop task it submitted runs). */
    private final Map<String, SegmentRuntime> segments = new LinkedHashMap<>();
    /** The segments in the overlay, whose TAP writers flush with the device's; event loop (filled before it starts). */
    private final List<SegmentRuntime> attachedSegments = new ArrayList<>();
    private UdpTransport udp;
    private DeviceReader reader;
    private ScheduledFuture<?> tick;
    private ScheduledFuture<?> certificateCheck;
    /** The site PKI's deadlines for this overlay's peers (and our own certificate). */
    private final CertificateWatch certificates;
    private UapiServer uapi;
    /** Set by the loop task that starts the overlay; until then what the socket and device deliver is dropped. Loop. */
    private boolean started;
    /** A task to answer leftover handshakes is scheduled. Loop. */
    private boolean handshakesScheduled;
    /**
     * The forced tunnel whose rules are installed, or being installed, now; null if none. Written by the control
     * thread before the rules go in, so that from then on the UAPI refuses a mark they would send into the tunnel.
     */
    private volatile ForcedTunnel forced;

    private OverlayRuntime(String site, OverlayConfig config, TunDevice device, TunOverlayIo io, Overlay overlay,
            EventLoop loop, Clock clock, Log log) {
        this.config = config;
        this.device = device;
        this.io = io;
        this.overlay = overlay;
        this.loop = loop;
        this.log = log;
        this.certificates = new CertificateWatch(site, config, this::refusePeer, clock, log);
    }

    /**
     * Brings the overlay up. {@code bindAddress}: the HA follow-address the socket binds (null: the wildcard address);
     * {@code active}: false starts it as an HA standby.
     */
    static OverlayRuntime start(String site, OverlayConfig config, LocalIdentity identity, EventLoop loop, Log siteLog,
            InetAddress bindAddress, boolean active) throws DaemonException {
        Offloads.check();
        Log log = siteLog.child("overlay=" + config.name());
        TunDevice device;
        try {
            device = Offloads.DEVICE ? TunDevice.openTunWithOffloads(config.device()) : TunDevice.openTun(config.device());
        } catch (IOException e) {
            throw new DaemonException("overlay " + config.name() + ": cannot create TUN device " + config.device()
                    + ": " + e.getMessage(), e);
        }
        TunOverlayIo io = new TunOverlayIo(device, PooledByteBufAllocator.DEFAULT);
        Overlay overlay = new Overlay(config.name(), config.mtu(), identity, io, System::nanoTime,
                Clock.systemUTC(), log);
        io.onDeviceWriteFailure(() -> overlay.drops().increment(DropReason.WRITE_FAILED));
        OverlayRuntime runtime = new OverlayRuntime(site, config, device, io, overlay, loop, Clock.systemUTC(), log);
        try {
            runtime.configureLink();
            for (PeerConfig peer : config.peers()) {
                runtime.addPeer(peer);
            }
            for (SegmentConfig segment : config.segments()) {
                SegmentRuntime segmentRuntime = SegmentRuntime.open(segment, runtime.link, log);
                runtime.segments.put(segment.name(), segmentRuntime);
                segmentRuntime.attach(config, overlay);
                runtime.attachedSegments.add(segmentRuntime);
            }
            io.addFlushHook(runtime::flushSegments);
            runtime.udp = UdpTransport.bind(loop, bindAddress, config.listenPort(), runtime::onDatagram,
                    runtime::onReadComplete, Offloads.SOCKET, config.fwmark(), log);
            runtime.addRoutes();
            runtime.installForcedTunnel(config.forcedTunnel());
            runtime.reader = new DeviceReader(device, runtime::onDevicePacket, io::flush,
                    PooledByteBufAllocator.DEFAULT, PacketLayout.HEADROOM, config.mtu(), PacketLayout.TAILROOM, log);
            runtime.reader.attach(loop);
            for (SegmentRuntime segment : runtime.segments.values()) {
                segment.startReader(loop, io);
            }
            runtime.tick = loop.scheduleAtFixedRate(overlay::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            UdpTransport udp = runtime.udp;
            // One task on the loop publishes the socket to the I/O and starts the overlay in its role; until it runs,
            // the overlay drops what arrives (it has not started), so no datagram sees a half-built overlay.
            loop.execute(() -> {
                io.attach(udp);
                if (!active) {
                    overlay.standBy();
                }
                overlay.start();
                runtime.started = true;
                runtime.certificates.check();  // warnings about what the load found close to its end, now
            });
            runtime.certificateCheck = loop.scheduleAtFixedRate(runtime.certificates::check, CERTIFICATE_CHECK_MILLIS,
                    CERTIFICATE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            runtime.startUapi(identity);
        } catch (DaemonException e) {
            runtime.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw new DaemonException("overlay " + config.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runtime.close();
            throw new DaemonException("overlay " + config.name() + ": interrupted while starting", e);
        }
        log.info("overlay-up", "device=" + device.name() + " listen-port=" + runtime.udp.localPort()
                + (bindAddress == null ? "" : " listen-address=" + bindAddress.getHostAddress())
                + " peers=" + config.peers().size() + " role=" + (active ? "active" : "standby"));
        return runtime;
    }

    /** The socket's receiver: the overlay once it has started. Loop; consumes {@code datagram}. */
    private void onDatagram(ByteBuf datagram, InetSocketAddress sender) {
        if (started) {
            overlay.outside().onDatagram(datagram, sender);
        } else {
            overlay.drop(datagram, DropReason.STARTING);
        }
    }

    /**
     * After each burst of datagrams: handshake messages of the burst are answered (within their share of the loop's
     * time), then everything queued goes to the socket and devices. Handshakes left over for lack of budget get a task
     * of their own when the budget allows, unless a read burst or the tick comes first.
     */
    private void onReadComplete() {
        long laterNanos = overlay.processHandshakes();
        io.flush();
        if (laterNanos >= 0 && !handshakesScheduled) {
            handshakesScheduled = true;
            loop.schedule(() -> {
                handshakesScheduled = false;
                onReadComplete();
            }, laterNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** End of a burst: the segments' TAP writers write out what they hold for merging. Event loop. */
    private void flushSegments() {
        for (int i = 0, n = attachedSegments.size(); i < n; i++) {
            attachedSegments.get(i).flushDevice();
        }
    }

    /** The TUN reader's receiver: the overlay once it has started. Loop; consumes {@code packet}. */
    private void onDevicePacket(ByteBuf packet) {
        if (started) {
            overlay.inside().onDevicePacket(packet);
        } else {
            overlay.drop(packet, DropReason.STARTING);
        }
    }

    /** The WireGuard UAPI socket for {@code wg}; without it the overlay still runs, so a failure is a warning. */
    private void startUapi(LocalIdentity identity) {
        try {
            uapi = UapiServer.start(UapiServer.socketPath(device.name()),
                    new OverlayUapi(overlay, identity, loop, device.name(), udp.localPort(), new UapiMark(), link, log),
                    log);
            log.info("uapi-up", "path=" + uapi.path());
        } catch (IOException | RuntimeException e) {
            log.warn("uapi-unavailable", "device=" + device.name() + " error=" + e.getMessage());
        }
    }

    /**
     * Installs {@code spec}'s rules and routes (clearing a killed run's leftovers first); null: nothing. The socket
     * carries the spec's mark already. Control thread.
     */
    private void installForcedTunnel(ForcedTunnel spec) throws IOException {
        if (spec == null) {
            return;
        }
        if (spec.ipv4()) {
            ReversePathFilter.warnIfStrict(log);
        }
        forced = spec;
        try {
            PolicyRouting.install(link, device.name(), spec, log);  // takes back what it did if it fails
        } catch (IOException e) {
            forced = null;
            throw e;
        }
    }

    /** Removes the forced tunnel's rules and routes, if installed. Control thread. */
    private void removeForcedTunnel() {
        ForcedTunnel installed = forced;
        if (installed != null) {
            forced = null;
            PolicyRouting.remove(link, installed, log);
            log.info("forced-tunnel-down", PolicyRouting.describe(installed));
        }
    }

    /**
     * A reload's new socket mark and forced tunnel: the old rules go first, then the mark changes, then the new rules
     * come, so at no point does a rule send the socket's own datagrams into the tunnel. Control thread.
     */
    private void applyRouting(ConfigDiff.RoutingChanged change) throws DaemonException {
        removeForcedTunnel();
        forced = change.after();  // the UAPI now refuses any other mark, so none can slip in before the rules
        try {
            long mark = change.fwmarkAfter();
            // On the loop, where the UAPI sets it too: read and set there, so no earlier wg set can undo it.
            boolean changed = loop.submit(() -> {
                if (udp.fwmark() == mark) {
                    return false;
                }
                udp.fwmark(mark);
                return true;
            }).get(RELOAD_TASK_MILLIS, TimeUnit.MILLISECONDS);
            if (changed) {
                log.info("fwmark-set", "fwmark=" + mark + " source=reload");
            }
            installForcedTunnel(change.after());
        } catch (InterruptedException e) {
            forced = null;
            Thread.currentThread().interrupt();
            throw new DaemonException("overlay " + config.name() + ": interrupted while changing its routing", e);
        } catch (IOException | ExecutionException | TimeoutException e) {
            forced = null;
            throw new DaemonException("overlay " + config.name() + ": forced tunnel not installed: "
                    + (e instanceof ExecutionException ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }

    /** The UAPI's view of the socket mark: any mark, but none that the forced tunnel's rules would send into it. */
    private final class UapiMark implements OverlayUapi.SocketMark {
        @Override
        public long get() {
            return udp.fwmark();
        }

        @Override
        public void set(long mark) throws UapiException {
            ForcedTunnel installed = forced;
            if (installed != null && mark != installed.fwmark()) {
                throw new UapiException(UapiException.EINVAL, "fwmark " + mark + ": the forced tunnel's rules let only"
                        + " datagrams marked " + installed.fwmark() + " bypass the tunnel; change fwmark: in the config");
            }
            try {
                udp.fwmark(mark);
            } catch (IllegalStateException e) {
                throw new UapiException(UapiException.EIO, e.getMessage());
            }
        }
    }

    private void configureLink() throws IOException {
        String name = device.name();
        link.setMtu(name, config.mtu());
        for (Cidr address : config.addresses()) {
            link.addAddress(name, address);
        }
        link.setUp(name);
    }

    /** A peer config with its keys read and its endpoint resolved: all a change needs before it reaches the loop. */
    record ResolvedPeer(PeerConfig config, PublicKey publicKey, PresharedKey psk, InetSocketAddress endpoint,
                        String pskDigest) {}

    /** Reads the peer's keys and resolves its endpoint; the one-line message names the overlay and peer. */
    static ResolvedPeer resolve(String overlayName, PeerConfig peer) throws DaemonException {
        PublicKey publicKey;
        PresharedKey psk = PresharedKey.zero();
        String digest = "";
        try {
            publicKey = PublicKey.fromBase64(peer.publicKey());
            if (peer.presharedKeyFile() != null) {
                PresharedKeyFile file = KeyFiles.decodeSecret(peer.presharedKeyFile(),
                        text -> new PresharedKeyFile(PresharedKey.fromBase64(text), digest(text)));
                psk = file.key();
                digest = file.digest();
            }
        } catch (KeyFormatException | IOException e) {
            throw new DaemonException("overlay " + overlayName + " peer " + peer.name() + ": " + e.getMessage(), e);
        }
        InetSocketAddress endpoint = null;
        if (peer.endpoint() != null) {
            try {
                endpoint = new InetSocketAddress(InetAddress.getByName(peer.endpoint().host()), peer.endpoint().port());
            } catch (UnknownHostException e) {
                throw new DaemonException("overlay " + overlayName + " peer " + peer.name()
                        + ": cannot resolve endpoint " + peer.endpoint());
            }
        }
        return new ResolvedPeer(peer, publicKey, psk, endpoint, digest);
    }

    /** A preshared key as read from its file, with the digest of the file's text that tells a rewrite. */
    private record PresharedKeyFile(PresharedKey key, String digest) {}

    private static String digest(byte[] secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void addPeer(PeerConfig peer) throws DaemonException {
        addResolved(resolve(config.name(), peer));
    }

    /** Event loop (or before the overlay starts). */
    private void addResolved(ResolvedPeer peer) {
        overlay.addPeer(peer.config().name(), peer.publicKey(), peer.psk(), peer.endpoint(), peer.config().allowedIps(),
                peer.config().persistentKeepaliveSeconds());
        pskDigests.put(peer.config().name(), peer.pskDigest());
    }

    /** Whether the file of a running peer's preshared key now holds another key (or cannot be read). Control thread. */
    boolean presharedKeyChanged(PeerConfig peer) {
        if (peer.presharedKeyFile() == null) {
            return false;
        }
        try {
            return !KeyFiles.decodeSecret(peer.presharedKeyFile(), OverlayRuntime::digest)
                    .equals(pskDigests.get(peer.name()));
        } catch (IOException e) {
            return true;  // the reload then fails to read it, and says why
        }
    }

    /**
     * Applies one reload's changes for this overlay; peers and segments not named in {@code changes} are not touched.
     * Control thread; {@code peers} holds every added, replaced and updated peer, resolved. In order:
     * <ol>
     *   <li>what can fail comes first, before anything changes: the TAPs of new segments are created (unless their
     *       device is still held by a segment that goes) and TAPs move to their new bridge;</li>
     *   <li>segments removed or re-created leave the overlay in one loop task (reader detached, VNI unknown), then
     *       their TAPs are deleted, and the TAPs that waited for their device name are created;</li>
     *   <li>one loop task, so no packet sees a half-applied state: leaving peers are withdrawn from the segments, the
     *       peer changes are made, every remaining segment gets its new options and members (a no-op for one that did
     *       not change), and new segments join; then their readers start;</li>
     *   <li>the routes that appeared or went.</li>
     * </ol>
     * Throws when nothing was changed; returns the failures after that point (a segment that could not be created
     * again), with {@link #config()} saying what runs.
     */
    List<String> applyChanges(List<ConfigDiff.Change> changes, OverlayConfig next, Map<String, ResolvedPeer> peers)
            throws DaemonException {
        Set<Cidr> routesBefore = routedPrefixes(config);
        Set<Cidr> routesAfter = routedPrefixes(next);
        List<SegmentRuntime> going = new ArrayList<>();
        Set<String> devicesGoing = new LinkedHashSet<>();
        List<SegmentConfig> coming = new ArrayList<>();
        Set<String> leavingPeers = new LinkedHashSet<>();
        for (ConfigDiff.Change change : changes) {
            switch (change) {
                case ConfigDiff.SegmentRemoved c -> going.add(segments.get(c.segment().name()));
                case ConfigDiff.SegmentReplaced c -> {
                    going.add(segments.get(c.before().name()));
                    coming.add(c.after());
                }
                case ConfigDiff.SegmentAdded c -> coming.add(c.segment());
                case ConfigDiff.PeerRemoved c -> leavingPeers.add(c.peer().name());
                case ConfigDiff.PeerReplaced c -> leavingPeers.add(c.before().name());
                default -> { }
            }
        }
        going.forEach(segment -> devicesGoing.add(segment.deviceName()));
        Map<String, SegmentRuntime> opened = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try {
            for (SegmentConfig segment : coming) {
                if (!devicesGoing.contains(segment.device())) {
                    opened.put(segment.name(), SegmentRuntime.open(segment, link, log));
                }
            }
            for (ConfigDiff.Change change : changes) {
                if (change instanceof ConfigDiff.SegmentUpdated c && c.fields().contains(ConfigDiff.SegmentField.BRIDGE)) {
                    segments.get(c.after().name()).moveToBridge(c.after().bridge());
                }
            }
        } catch (DaemonException e) {
            opened.values().forEach(SegmentRuntime::close);
            throw e;
        }
        if (!going.isEmpty()) {
            onLoop(() -> {
                for (SegmentRuntime segment : going) {
                    segment.detach(overlay);
                    attachedSegments.remove(segment);
                }
            });
            for (SegmentRuntime segment : going) {
                segments.remove(segment.config().name());
                segment.close();
            }
            for (SegmentConfig segment : coming) {
                if (devicesGoing.contains(segment.device())) {
                    try {
                        opened.put(segment.name(), SegmentRuntime.open(segment, link, log));
                    } catch (DaemonException e) {
                        failures.add(e.getMessage());
                    }
                }
            }
        }
        Map<String, SegmentConfig> nextSegments = new LinkedHashMap<>();
        next.segments().forEach(segment -> nextSegments.put(segment.name(), segment));
        List<SegmentRuntime> staying = List.copyOf(segments.values());
        List<SegmentRuntime> joining = List.copyOf(opened.values());
        segments.putAll(opened);  // from here on closed with the overlay, even if the loop task fails
        onLoop(() -> {
            if (!leavingPeers.isEmpty()) {
                staying.forEach(segment -> segment.withdraw(leavingPeers));
            }
            applyOnLoop(changes, peers);
            staying.forEach(segment -> segment.reconfigure(nextSegments.get(segment.config().name()), next, overlay));
            for (SegmentRuntime segment : joining) {
                segment.attach(next, overlay);
                attachedSegments.add(segment);
            }
        });
        for (SegmentRuntime segment : joining) {
            segment.startReader(loop, io);
        }
        config = failures.isEmpty() ? next : withSegments(next, segments.values());
        for (ConfigDiff.Change change : changes) {
            switch (change) {
                case ConfigDiff.PeerAdded c -> log.info("peer-added", "peer=" + c.peer().name()
                        + " allowed-ips=" + c.peer().allowedIps().size());
                case ConfigDiff.PeerRemoved c -> log.info("peer-removed", "peer=" + c.peer().name());
                case ConfigDiff.PeerReplaced c -> log.info("peer-replaced", "peer=" + c.after().name()
                        + " reason=" + c.reason() + " sessions=reset");
                case ConfigDiff.PeerUpdated c -> log.info("peer-updated", "peer=" + c.after().name() + " fields="
                        + String.join(",", c.fields().stream().sorted().map(ConfigDiff.Field::key).toList()));
                case ConfigDiff.SegmentRemoved c -> log.info("segment-removed", "segment=" + c.segment().name());
                case ConfigDiff.SegmentReplaced c -> log.info("segment-replaced", "segment=" + c.after().name()
                        + " reason=" + c.reason());
                case ConfigDiff.SegmentUpdated c -> log.info("segment-updated", "segment=" + c.after().name()
                        + " fields=" + ConfigDiff.SegmentField.keys(c.fields()));
                case ConfigDiff.SegmentAdded c -> log.info("segment-added", "segment=" + c.segment().name());
                default -> { }
            }
        }
        RouteSync.apply(link, device.name(), routesBefore, routesAfter, log);
        for (ConfigDiff.Change change : changes) {
            if (change instanceof ConfigDiff.RoutingChanged routing) {
                applyRouting(routing);
            }
        }
        return failures;
    }

    /** {@code overlay} with the segments that actually run (a reload could not create one of them again). */
    private static OverlayConfig withSegments(OverlayConfig overlay, Collection<SegmentRuntime> running) {
        List<SegmentConfig> segments = running.stream().map(SegmentRuntime::config).toList();
        return new OverlayConfig(overlay.name(), overlay.device(), overlay.listenPort(), overlay.addresses(),
                overlay.mtu(), overlay.peers(), segments, overlay.ca(), overlay.crl(), overlay.certificate(),
                overlay.pki(), overlay.fwmark(), overlay.forcedTunnel());
    }

    /** Runs {@code task} on the event loop and waits for it (a reload's step). Control thread. */
    private void onLoop(Runnable task) throws DaemonException {
        try {
            loop.submit(task).get(RELOAD_TASK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonException("overlay " + config.name() + ": interrupted while applying the reload", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DaemonException("overlay " + config.name() + ": reload failed on the event loop: " + e, e);
        }
    }

    private void applyOnLoop(List<ConfigDiff.Change> changes, Map<String, ResolvedPeer> resolved) {
        for (ConfigDiff.Change change : changes) {
            switch (change) {
                case ConfigDiff.PeerRemoved c -> removePeer(c.peer().name());
                case ConfigDiff.PeerReplaced c -> {
                    removePeer(c.before().name());
                    addResolved(resolved.get(c.after().name()));
                }
                case ConfigDiff.PeerUpdated c -> {
                    Peer peer = overlay.peer(c.after().name());
                    ResolvedPeer next = resolved.get(c.after().name());
                    if (peer == null) {
                        // Removed at runtime (wg set … remove): the config is the truth again.
                        addResolved(next);
                        continue;
                    }
                    if (c.fields().contains(ConfigDiff.Field.ALLOWED_IPS)) {
                        overlay.replaceAllowedIps(peer, c.after().allowedIps());
                    }
                    if (c.fields().contains(ConfigDiff.Field.ENDPOINT) && next.endpoint() != null) {
                        peer.endpoint(next.endpoint());  // an endpoint removed from the config keeps the learned one
                    }
                    if (c.fields().contains(ConfigDiff.Field.PERSISTENT_KEEPALIVE)) {
                        overlay.persistentKeepalive(peer, c.after().persistentKeepaliveSeconds());
                    }
                }
                case ConfigDiff.PeerAdded c -> addResolved(resolved.get(c.peer().name()));
                case ConfigDiff.RoutingChanged c -> { }  // after the loop task: it runs ip
                default -> { }  // segment changes: see applyChanges
            }
        }
    }

    /**
     * The site PKI refused a running peer: removed as a reload removes it, after it left every segment that carried it.
     * Its routes stay, so its traffic ends in the device, not on the underlay. Event loop.
     */
    private void refusePeer(String name) {
        Set<String> leaving = Set.of(name);
        for (SegmentRuntime segment : attachedSegments) {
            segment.withdraw(leaving);
        }
        removePeer(name);
    }

    /**
     * A reload applied {@code next} (this overlay's part of it): the site PKI now watches its deadlines, and the peers
     * of {@code readmitted}, refused before and added again by the reload, are no longer refused. Control thread.
     */
    void certificatesReloaded(OverlayConfig next, Set<String> readmitted) throws DaemonException {
        try {
            loop.submit(() -> certificates.reloaded(next, readmitted)).get(RELOAD_TASK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonException("overlay " + config.name() + ": interrupted while applying the reload", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DaemonException("overlay " + config.name() + ": reload failed on the event loop: " + e, e);
        }
    }

    CertificateWatch certificates() {
        return certificates;
    }

    private void removePeer(String name) {
        Peer peer = overlay.peer(name);
        if (peer != null) {
            overlay.removePeer(peer);
        }
        pskDigests.remove(name);
    }

    /** The prefixes that get a route through the device: every allowed-ips prefix but the default routes. */
    private static Set<Cidr> routedPrefixes(OverlayConfig overlay) {
        Set<Cidr> prefixes = new LinkedHashSet<>();
        for (PeerConfig peer : overlay.peers()) {
            for (Cidr prefix : peer.allowedIps()) {
                if (prefix.prefixLength() != 0) {
                    prefixes.add(prefix.masked());
                }
            }
        }
        return prefixes;
    }

    /**
     * A route per allowed-ips prefix through the device, all in one batch; default routes are left to the operator
     * unless {@code default-route: true} puts them in the forced tunnel's table.
     */
    private void addRoutes() throws IOException {
        for (PeerConfig peer : config.peers()) {
            for (Cidr prefix : peer.allowedIps()) {
                if (prefix.prefixLength() == 0 && config.forcedTunnel() == null) {
                    log.warn("route-skipped", "peer=" + peer.name() + " prefix=" + prefix
                            + " reason=default-route-not-installed hint=\"default-route: true installs it\"");
                }
            }
        }
        Map<Cidr, String> refused = link.replaceRoutes(device.name(), routedPrefixes(config));
        if (!refused.isEmpty()) {
            Map.Entry<Cidr, String> first = refused.entrySet().iterator().next();
            throw new IOException("route " + first.getKey() + " dev " + device.name() + ": " + first.getValue()
                    + (refused.size() > 1 ? " (and " + (refused.size() - 1) + " more)" : ""));
        }
    }

    OverlayConfig config() {
        return config;
    }

    /** Follows the site's HA role (any thread: the change runs on the overlay's event loop). */
    void role(boolean active) {
        if (!loop.isShuttingDown()) {
            loop.execute(active ? overlay::activate : overlay::standBy);
        }
    }

    Overlay overlay() {
        return overlay;
    }

    EventLoop loop() { return loop; }                 // control plane: status snapshots run on the loop
    String deviceName() { return device.name(); }
    int listenPort() { return udp.localPort(); }
    long fwmark() { return udp.fwmark(); }
    ForcedTunnel forcedTunnel() { return forced; }

    /** The kernel offloads in use now (GSO may have turned itself off). */
    OverlayStatus.Offloads offloads() {
        return new OverlayStatus.Offloads(device.vnetHeader(), udp.gso(), udp.gro());
    }

    @Override
    public void close() {
        removeForcedTunnel();  // first: while the device and socket still exist, traffic has a way out
        if (uapi != null) {
            uapi.close();
        }
        if (reader != null) {
            reader.detach(loop);
        }
        if (tick != null) {
            tick.cancel(false);
        }
        if (certificateCheck != null) {
            certificateCheck.cancel(false);
        }
        for (SegmentRuntime segment : segments.values()) {
            segment.close();
        }
        if (!loop.isShuttingDown()) {
            loop.submit(overlay::close).awaitUninterruptibly(2_000);
        }
        if (udp != null) {
            udp.close();
        }
        String name = device.name();
        device.close();
        try {
            // Closing the last descriptor removes a non-persistent TUN and its routes; this covers the rest.
            if (link.linkExists(name)) {
                link.deleteLink(name);
            }
        } catch (IOException e) {
            log.warn("device-cleanup-failed", "device=" + name + " error=" + e.getMessage());
        }
        log.info("overlay-down", "device=" + name);
    }
}
