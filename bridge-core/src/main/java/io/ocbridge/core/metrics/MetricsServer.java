package io.ocbridge.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Prometheus text exposition at {@code GET /metrics} over plain HTTP ({@link ScrapeServer}: bounded connections,
 * a deadline on each request and response). Holds the registry with the JVM meters; callers add theirs through
 * {@link #registry()}. Bind it to loopback or a management network: it has no authentication.
 */
public final class MetricsServer implements AutoCloseable {
    /** How long a client may take to send its request head, or to take the response (Prometheus waits 10 s). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final ScrapeServer server;

    private MetricsServer(PrometheusMeterRegistry registry, JvmGcMetrics gc, ScrapeServer server) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
    }

    /** Binds {@code listen} and starts serving; the registry is empty but for JVM meters. */
    public static MetricsServer start(InetSocketAddress listen) throws IOException {
        return start(listen, REQUEST_TIMEOUT);
    }

    /** As {@link #start(InetSocketAddress)}, with another deadline per request and per response (tests). */
    static MetricsServer start(InetSocketAddress listen, Duration requestTimeout) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        try {
            ScrapeServer server = ScrapeServer.start(listen, CONTENT_TYPE, registry::scrape, requestTimeout,
                    Log.with(""));
            return new MetricsServer(registry, gc, server);
        } catch (IOException | RuntimeException e) {
            gc.close();
            registry.close();
            throw e;
        }
    }

    /**
     * Typed as the plain {@link MeterRegistry}: ControlPlane holds it so, and the verifier then needs no Prometheus
     * class to link ControlPlane, which a daemon without {@code metrics:} links too (it loaded two, for a subtype check).
     */
    public MeterRegistry registry() {
        return registry;
    }

    public int port() {
        return server.port();
    }

    /** Connections closed because the request or the response took longer than the deadline. */
    public long timedOutConnections() {
        return server.timedOutConnections();
    }

    @Override
    public void close() {
        server.close();
        gc.close();
        registry.close();
    }
}
