/**
 * The daemon's lifecycle: starting each overlay for real (device, socket, routes, segments), reload as a diff,
 * systemd notifications, the control plane; the thread model is written down on {@code Daemon}. The top of the
 * core: it calls every other package, none calls it but the CLI.
 */
package io.ocbridge.core.daemon;
