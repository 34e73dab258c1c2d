package io.ocbridge.core.config;

import java.util.List;

/**
 * An L2 segment carried by an overlay: Ethernet frames of a TAP device, exchanged as VXLAN with
 * VNI {@code vni} between this gateway's and the peers' VTEPs inside the tunnel.
 *
 * @param bridge      existing Linux bridge to enslave the TAP into, or null
 * @param peers       names of the overlay peers on this segment; empty = all of them
 * @param mssClamp    {@link #MSS_AUTO}, {@link #MSS_OFF}, or the MSS in bytes
 */
public record SegmentConfig(String name, int vni, String device, String bridge, List<String> peers,
                            int mssClamp, int macAgingSeconds, int macTableSize) {
    public static final int MSS_AUTO = -1;
    public static final int MSS_OFF = 0;
    public static final int DEFAULT_MAC_AGING_SECONDS = 300;
    public static final int DEFAULT_MAC_TABLE_SIZE = 4096;

    public SegmentConfig {
        peers = List.copyOf(peers);
    }
}
