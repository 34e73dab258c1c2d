/**
 * One WireGuard interface and its data path: {@code Inside} (device to network), {@code Outside} (network to
 * device), the peer registry, handshakes and timer ticks, drop and handshake counters. No I/O of its own: the daemon
 * plugs a socket and a device in through {@code OverlayIo}. Runs on one event loop.
 */
package io.ocbridge.core.overlay;
