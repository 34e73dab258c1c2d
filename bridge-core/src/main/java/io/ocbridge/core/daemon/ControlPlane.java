package io.ocbridge.core.daemon;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.ocbridge.core.config.Endpoint;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.control.ControlServer;
import io.ocbridge.core.control.ReloadSource;
import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.control.StatusUnavailableException;
import io.ocbridge.core.ha.HaState;
import io.ocbridge.core.ha.Role;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.metrics.CertificateMeters;
import io.ocbridge.core.metrics.MetricsServer;
import io.ocbridge.core.metrics.OverlayMeters;
import io.ocbridge.core.metrics.SegmentMeters;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.peer.Peer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The operator's side of a running daemon: the control socket ({@code ocbridge status}) and, when configured, the
 * Prometheus endpoint. Overlay state is read only through snapshots taken on each overlay's event loop.
 */
final class ControlPlane implements AutoCloseable {
    /** How long a status request waits for one overlay's event loop. */
    static final long SNAPSHOT_TIMEOUT_MILLIS = 2_000;

    private final SiteConfig config;
    /** The running overlays; a reload publishes a new list. */
    private final Supplier<List<OverlayRuntime>> overlays;
    private final HaState ha;
    private final Clock clock = Clock.systemUTC();
    private final Log log;
    private ControlServer control;
    private MetricsServer metrics;

    private ControlPlane(SiteConfig config, Supplier<List<OverlayRuntime>> overlays, HaState ha, Log log) {
        this.config = config;
        this.overlays = overlays;
        this.ha = ha;
        this.log = log;
    }

    /**
     * Starts the control socket ({@code status}, and {@code reload} through {@code reloads}), then metrics if
     * configured; on failure stops what started and throws.
     */
    static ControlPlane start(SiteConfig config, Supplier<List<OverlayRuntime>> overlays, HaState ha,
            ReloadSource reloads, Log log) throws DaemonException {
        ControlPlane plane = new ControlPlane(config, overlays, ha, log);
        try {
            plane.control = ControlServer.start(config.controlSocket(), plane::status, reloads, log);
            log.info("control-up", "path=" + config.controlSocket());
        } catch (IOException e) {
            throw new DaemonException("control-socket " + config.controlSocket() + ": " + e.getMessage(), e);
        }
        if (config.metrics() != null) {
            try {
                plane.startMetrics(config.metrics().listen());
                log.info("metrics-up", "listen=" + config.metrics().listen());
            } catch (IOException | RuntimeException e) {
                plane.close();
                throw new DaemonException("metrics listen " + config.metrics().listen() + ": " + e.getMessage(), e);
            }
        }
        return plane;
    }

    private void startMetrics(Endpoint listen) throws IOException {
        metrics = MetricsServer.start(new InetSocketAddress(InetAddress.getByName(listen.host()), listen.port()));
        bindOverlayMeters();
    }

    /**
     * After a reload: drops every ocbridge meter and binds the overlays and peers running now, so
     * added peers get series and removed ones lose theirs. The meters read live counters, so no
     * count is lost. JVM meters stay.
     */
    void rebindMetrics() {
        if (metrics == null) {
            return;
        }
        MeterRegistry registry = metrics.registry();
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (meter.getId().getName().startsWith("ocbridge.")) {
                registry.remove(meter);
            }
        }
        try {
            bindOverlayMeters();
        } catch (IOException e) {
            log.warn("metrics-rebind-failed", "error=" + e.getMessage());
        }
    }

    private void bindOverlayMeters() throws IOException {
        Gauge.builder("ocbridge.ha.active", ha, state -> state.role() == Role.ACTIVE ? 1 : 0)
                .description("1 while this gateway is active (always without HA), 0 while it is the standby")
                .tags(Tags.of("site", config.site())).register(metrics.registry());
        FunctionCounter.builder("ocbridge.ha.transitions", ha, HaState::transitions)
                .description("HA role changes since the daemon started")
                .tags(Tags.of("site", config.site())).register(metrics.registry());
        for (OverlayRuntime runtime : overlays.get()) {
            Overlay overlay = runtime.overlay();
            List<Peer> peers = onLoop(runtime, () -> List.copyOf(overlay.peers()));
            OverlayMeters.bind(metrics.registry(), Tags.of("site", config.site(), "overlay", overlay.name()), peers,
                    overlay.drops(), overlay.handshakes(), clock);
            String name = overlay.name();
            OverlayMeters.bindOffloads(metrics.registry(), Tags.of("site", config.site(), "overlay", name),
                    () -> offloadsOf(name));
            SegmentMeters.bind(metrics.registry(), Tags.of("site", config.site(), "overlay", overlay.name()),
                    onLoop(runtime, () -> List.copyOf(overlay.segments())));
            CertificateWatch certificates = runtime.certificates();
            Map<String, LongSupplier> refusals = new LinkedHashMap<>();
            for (RefusalReason reason : RefusalReason.values()) {
                refusals.put(reason.label(), () -> certificates.counters().get(reason));
            }
            CertificateMeters.bind(metrics.registry(), Tags.of("site", config.site(), "overlay", overlay.name()),
                    config.site(), certificates.config(), clock, refusals);
        }
    }

    /** The running overlay's offloads (a reload may have replaced its runtime), all off if it is gone; scrape thread. */
    private OverlayStatus.Offloads offloadsOf(String overlayName) {
        for (OverlayRuntime runtime : overlays.get()) {
            if (runtime.overlay().name().equals(overlayName)) {
                return runtime.offloads();
            }
        }
        return new OverlayStatus.Offloads(false, false, false);
    }

    private static <T> T onLoop(OverlayRuntime runtime, java.util.concurrent.Callable<T> task) throws IOException {
        try {
            return runtime.loop().submit(task).get(SNAPSHOT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("overlay " + runtime.overlay().name() + " event loop: " + e, e);
        }
    }

    /** One snapshot per overlay, each taken on its event loop. Control-server threads call this. */
    private SiteStatus status() throws StatusUnavailableException {
        List<OverlayRuntime> running = overlays.get();
        List<OverlayStatus> result = new ArrayList<>(running.size());
        for (OverlayRuntime runtime : running) {
            try {
                result.add(runtime.loop().submit(() -> OverlayStatus.capture(runtime.overlay(), runtime.deviceName(),
                        runtime.listenPort(), runtime.offloads(),
                        new OverlayStatus.Routing(runtime.fwmark(), runtime.forcedTunnel())).withCertificates(
                                runtime.certificates().refusedStatus(), runtime.certificates().status(clock.instant())))
                        .get(SNAPSHOT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                throw new StatusUnavailableException("overlay " + runtime.overlay().name()
                        + " did not answer within " + SNAPSHOT_TIMEOUT_MILLIS + " ms", e);
            } catch (ExecutionException e) {
                throw new StatusUnavailableException("overlay " + runtime.overlay().name() + ": " + e.getCause(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StatusUnavailableException("interrupted", e);
            }
        }
        return new SiteStatus(config.site(), clock.millis() / 1000, result, ha.role().label(),
                ha.followAddress() == null ? null : ha.followAddress().getHostAddress());
    }

    /** Control socket first (so no status request races the shutdown), then metrics. */
    @Override
    public void close() {
        if (control != null) {
            control.close();
            control = null;
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
    }
}
