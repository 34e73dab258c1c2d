package io.ocbridge.core.l2;

/**
 * What one segment is, apart from whom it talks to: its name and TAP device, its VNI, this gateway's VXLAN endpoint,
 * the sizes that bound it and its safeguards.
 *
 * @param localVtep      this gateway's overlay IPv4 address, the VXLAN packets' source
 * @param overlayMtuBytes the overlay's MTU: bigger VXLAN packets are fragmented
 * @param maxMssV4       MSS clamp for TCP over IPv4 (0 = off), and {@code maxMssV6} for IPv6
 * @param macTableSize   bound of the MAC table and of the ARP/ND table
 * @param macAgingNanos  how long a learned MAC (and a neighbor binding) lives without traffic
 */
public record SegmentSpec(String name, String device, int vni, int localVtep, int overlayMtuBytes, int maxMssV4,
        int maxMssV6, int macTableSize, long macAgingNanos, SegmentOptions options) {
}
