/**
 * The one home of header layouts: Ethernet and its VLAN tags, IPv4, IPv6, UDP and TCP, as {@code *_OFFSET}
 * constants from each header's first byte, sizes, flags and protocol numbers, with small static readers where they
 * spare every parser the same arithmetic (no object per packet). The L2 switch, the IP-level code, the offloads and
 * the overlay all read packets through these; none keeps a copy of its own. VXLAN's header stays in {@code l2} and
 * WireGuard's messages in tunnel-crypto's {@code wire}. Depends on nothing of ours.
 */
package io.ocbridge.core.packet;
