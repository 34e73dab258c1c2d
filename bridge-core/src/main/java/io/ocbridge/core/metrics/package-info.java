/**
 * Prometheus metrics (Micrometer) over the live counters, served by a small bounded HTTP server with deadlines.
 * Started by the daemon's control plane.
 */
package io.ocbridge.core.metrics;
