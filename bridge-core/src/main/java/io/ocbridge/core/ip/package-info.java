/**
 * IP-level work on packets in Netty buffers: IPv4 fragmentation and bounded reassembly, Internet checksums, TCP MSS
 * clamping, and the IPv6 extension-header walk. Used by the overlay, the L2 segments and the offloads; uses only
 * {@code packet} and {@code buffer}.
 */
package io.ocbridge.core.ip;
