package io.ocbridge.core.config;

import java.util.List;

/**
 * An L2 segment carried by an overlay: Ethernet frames of a TAP device, exchanged as VXLAN with
 * VNI {@code vni} between this gateway's and the peers' VTEPs inside the tunnel.
 *
 * @param bridge             existing Linux bridge to enslave the TAP into, or null
 * @param peers              names of the overlay peers on this segment; empty = all of them
 * @param mssClamp           {@link #MSS_AUTO}, {@link #MSS_OFF}, or the MSS in bytes
 * @param relay              forward frames between peers (hub of a hub-and-spoke segment)
 * @param floodLimit         broadcast/unknown-unicast/multicast frames per second per peer and direction; 0 = off
 * @param arpSuppression     answer local ARP/NS for addresses learned behind peers
 * @param dhcp               whether DHCP crosses the segment
 * @param macFlapLimit       MAC moves within 10 s before the MAC is frozen to its owner; 0 = no damping
 * @param macFlapHoldSeconds how long a damped MAC stays frozen
 */
public record SegmentConfig(String name, int vni, String device, String bridge, List<String> peers,
                            int mssClamp, int macAgingSeconds, int macTableSize, boolean relay, int floodLimit,
                            boolean arpSuppression, DhcpPolicy dhcp, int macFlapLimit, int macFlapHoldSeconds) {
    public static final int MSS_AUTO = -1;
    public static final int MSS_OFF = 0;
    public static final int DEFAULT_MAC_AGING_SECONDS = 300;
    public static final int DEFAULT_MAC_TABLE_SIZE = 4096;
    public static final int DEFAULT_FLOOD_LIMIT = 1000;
    public static final int DEFAULT_MAC_FLAP_LIMIT = 5;
    public static final int DEFAULT_MAC_FLAP_HOLD_SECONDS = 30;

    /** {@code dhcp:} — allow (default: the stretched LAN may rely on the enterprise DHCP server) or block. */
    public enum DhcpPolicy { ALLOW, BLOCK }

    public SegmentConfig {
        peers = List.copyOf(peers);
    }

    /** A segment with the default safeguards. */
    public SegmentConfig(String name, int vni, String device, String bridge, List<String> peers, int mssClamp,
            int macAgingSeconds, int macTableSize) {
        this(name, vni, device, bridge, peers, mssClamp, macAgingSeconds, macTableSize, false, DEFAULT_FLOOD_LIMIT,
                true, DhcpPolicy.ALLOW, DEFAULT_MAC_FLAP_LIMIT, DEFAULT_MAC_FLAP_HOLD_SECONDS);
    }
}
