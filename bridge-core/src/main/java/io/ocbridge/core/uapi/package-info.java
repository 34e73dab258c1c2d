/**
 * WireGuard's cross-platform UAPI on {@code /var/run/wireguard/<device>.sock}, so {@code wg show} and {@code wg
 * set} work against the daemon. Changes reach the overlay as tasks on its event loop.
 */
package io.ocbridge.core.uapi;
