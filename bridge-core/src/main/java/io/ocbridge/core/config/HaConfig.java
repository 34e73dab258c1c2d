package io.ocbridge.core.config;

import java.net.InetAddress;

/**
 * Gateway high availability ({@code ha: {follow-address: 192.0.2.10}}): the daemon is active while
 * {@code followAddress}, the VRRP virtual address that this site's peers dial, is configured on one of
 * the host's interfaces, and standby otherwise. keepalived moves the address; the daemon follows it.
 */
public record HaConfig(InetAddress followAddress) {
}
