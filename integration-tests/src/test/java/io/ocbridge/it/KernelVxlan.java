package io.ocbridge.it;

import java.util.List;

/**
 * The reference L2 attachment: a Linux {@code vxlan} device (RFC 7348, UDP 4789) over a WireGuard interface, enslaved
 * into the site's bridge, exactly as an operator would build it with {@code ip} and {@code bridge}. The WireGuard
 * interface needs an MTU of at least 1550 (1500 + 50 bytes of VXLAN/UDP/IP headers) for full-size frames.
 */
final class KernelVxlan {
    static final String DEVICE = "vx100";
    /** VXLAN (8) + UDP (8) + IPv4 (20) + inner Ethernet (14). */
    static final int OVERHEAD_BYTES = 50;

    private KernelVxlan() {}

    /**
     * Adds {@link #DEVICE} in {@code gateway} with VNI {@code vni} from {@code localVtep} over {@code underDevice}, floods
     * to each of {@code remoteVteps} (one as {@code remote}, several as all-zero FDB entries: head-end replication),
     * MTU {@code mtuBytes}, into {@code bridge}, up.
     */
    static void attach(Netns gateway, int vni, String localVtep, List<String> remoteVteps, String underDevice,
                       int mtuBytes, String bridge) {
        if (remoteVteps.size() == 1) {
            gateway.ip("link", "add", DEVICE, "type", "vxlan", "id", Integer.toString(vni), "local", localVtep,
                    "remote", remoteVteps.getFirst(), "dstport", Integer.toString(L2Topology.VXLAN_PORT),
                    "dev", underDevice).orThrow();
        } else {
            gateway.ip("link", "add", DEVICE, "type", "vxlan", "id", Integer.toString(vni), "local", localVtep,
                    "dstport", Integer.toString(L2Topology.VXLAN_PORT), "dev", underDevice).orThrow();
            for (String remote : remoteVteps) {
                gateway.exec("bridge", "fdb", "append", "00:00:00:00:00:00", "dev", DEVICE, "dst", remote).orThrow();
            }
        }
        gateway.ip("link", "set", DEVICE, "mtu", Integer.toString(mtuBytes), "master", bridge, "up").orThrow();
    }
}
