package io.ocbridge.core.config;

/**
 * The Prometheus endpoint ({@code metrics: {listen: 127.0.0.1:9586}}): an IP literal and port, served over plain
 * HTTP at {@code /metrics}. Absent from the config means metrics are off.
 */
public record MetricsConfig(Endpoint listen) {
}
