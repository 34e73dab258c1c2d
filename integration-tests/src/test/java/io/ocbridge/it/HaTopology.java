package io.ocbridge.it;

import java.util.List;

/**
 * A datacenter site served by an HA pair of gateways (d1, d2) under keepalived, one cloud gateway, and the hosts
 * around them.
 * <pre>
 *                 LAN switch (sw)                                  underlay switch (wan)
 *  ent 10.20.0.10 --+-- vswitch p1 -- d1 br-lan 10.20.0.2   d1 wan0 192.0.2.2 --+
 *   routes 172.20.1.0/24 via the LAN VIP 10.20.0.1                                +-- cloud wan0 192.0.2.20
 *                   +-- vswitch p2 -- d2 br-lan 10.20.0.3   d2 wan0 192.0.2.3 --+
 *  VIPs (keepalived, one sync group): WAN 192.0.2.10 (what the cloud dials), LAN 10.20.0.1 (the enterprise's route)
 *  cloud: vm1 172.20.1.10 routed (gw 172.20.1.1); vm2 10.20.0.50 on br-lan, the enterprise LAN stretched (VNI 100)
 *  overlay corp: d1 and d2 both 10.77.0.1/24 (one site, one key), cloud 10.77.0.2/24
 * </pre>
 * Each gateway's LAN link goes through a vswitch namespace of its own, as a VM's vNIC goes through its hypervisor's
 * switch: when a gateway dies, the LAN switch keeps its forwarding entries towards it (no carrier loss reaches it),
 * as a physical switch does, and only traffic from the new active gateway moves them.
 */
final class HaTopology extends Lab {
    static final String WAN_VIP = "192.0.2.10";
    static final String LAN_VIP = "10.20.0.1";
    static final String ENT_HOST = "10.20.0.10";
    static final String LAN = "10.20.0.0/24";
    static final String VM_ROUTED = "172.20.1.10";
    static final String VM_ROUTED_NET = "172.20.1.0/24";
    static final String VM_STRETCHED = "10.20.0.50";
    static final String CLOUD_WAN = "192.0.2.20";
    static final String WAN_DEVICE = "wan0";
    static final String LAN_DEVICE = "lan0";
    static final String BRIDGE = "br-lan";
    static final int VNI = 100;

    final Netns ent;
    final Netns lanSwitch;
    final Netns wanSwitch;
    final Netns d1;
    final Netns d2;
    final Netns cloud;
    final Netns vm1;
    final Netns vm2;
    final Keys.Pair dcKeys = Keys.generate();
    final Keys.Pair cloudKeys = Keys.generate();

    private HaTopology(String testName) {
        super(testName);
        try {
            ent = namespace("ent");
            lanSwitch = namespace("sw");
            wanSwitch = namespace("wan");
            d1 = namespace("d1");
            d2 = namespace("d2");
            cloud = namespace("cl");
            vm1 = namespace("vm1");
            vm2 = namespace("vm2");
            wire(namespace("p1"), namespace("p2"));
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    static HaTopology create(String testName) {
        return new HaTopology(testName);
    }

    /** Gateway {@code n} (1 or 2) as its daemon's config sees it: site dc, reached at the WAN VIP. */
    Site dcSite(int n) {
        return new Site("dc" + n, n == 1 ? d1 : d2, WAN_VIP, "10.77.0.1", LAN, dcKeys);
    }

    Site cloudSite() {
        return new Site("cloud", cloud, CLOUD_WAN, "10.77.0.2", VM_ROUTED_NET, cloudKeys);
    }

    /** The cloud as the DC pair's peer: reached at its WAN address, routes its VM subnet. */
    Site.Peer cloudAsPeer() {
        return new Site.Peer("cloud", cloudKeys.publicKey(), List.of("10.77.0.2/32", VM_ROUTED_NET),
                CLOUD_WAN + ":" + Topology.LISTEN_PORT, null, null);
    }

    /** The DC pair as the cloud's peer: reached at the WAN VIP; routes the enterprise LAN. */
    Site.Peer dcAsPeer() {
        return new Site.Peer("dc", dcKeys.publicKey(), List.of("10.77.0.1/32", LAN),
                WAN_VIP + ":" + Topology.LISTEN_PORT, null, null);
    }

    /** The stretched segment on a gateway: TAP {@code <prefix><tapSuffix>} in its br-lan. */
    SiteConfig.Segment segment(String tapSuffix) {
        return SiteConfig.Segment.bridged("lan", VNI, deviceName(tapSuffix), BRIDGE);
    }

    /** A DC gateway's keepalived: d1 has the higher priority, so it is master when both run. */
    Keepalived startKeepalived(int n) {
        String config = Keepalived.config("ocb-d" + n, n == 1 ? 150 : 100, WAN_DEVICE, WAN_VIP + "/24", BRIDGE,
                LAN_VIP + "/24");
        return Keepalived.start(this, n == 1 ? d1 : d2, "keepalived-d" + n + "-" + System.nanoTime() % 100_000, config);
    }

    /** Whether {@code address} is configured in {@code ns}. */
    static boolean holds(Netns ns, String address) {
        return ns.ip("-o", "addr", "show").output().contains("inet " + address + "/");
    }

    /** Takes every link of {@code gateway} down: its host is gone. */
    static void linksDown(Netns gateway) {
        gateway.ip("link", "set", WAN_DEVICE, "down");
        gateway.ip("link", "set", LAN_DEVICE, "down");
    }

    static void linksUp(Netns gateway) {
        gateway.ip("link", "set", WAN_DEVICE, "up").orThrow();
        gateway.ip("link", "set", LAN_DEVICE, "up").orThrow();
    }

    private void wire(Netns p1, Netns p2) {
        lanSwitch.addBridge("br0");
        wanSwitch.addBridge("br0");
        lanSwitch.addVeth("ent", ent, "eth0");
        lanSwitch.ip("link", "set", "ent", "master", "br0", "up").orThrow();
        ent.ip("addr", "add", ENT_HOST + "/24", "dev", "eth0").orThrow();
        ent.ip("link", "set", "eth0", "up").orThrow();
        ent.ip("route", "add", VM_ROUTED_NET, "via", LAN_VIP).orThrow();
        int n = 1;
        for (var pair : List.of(List.of(p1, d1), List.of(p2, d2))) {
            Netns vswitch = pair.get(0);
            Netns gw = pair.get(1);
            vswitch.addBridge("br0");
            lanSwitch.addVeth("p" + n, vswitch, "uplink");
            lanSwitch.ip("link", "set", "p" + n, "master", "br0", "up").orThrow();
            vswitch.ip("link", "set", "uplink", "master", "br0", "up").orThrow();
            vswitch.addVeth("gw", gw, LAN_DEVICE);
            vswitch.ip("link", "set", "gw", "master", "br0", "up").orThrow();
            gw.addBridge(BRIDGE);
            gw.ip("link", "set", LAN_DEVICE, "master", BRIDGE, "up").orThrow();
            gw.ip("addr", "add", "10.20.0." + (1 + n) + "/24", "dev", BRIDGE).orThrow();
            wanSwitch.addVeth("d" + n, gw, WAN_DEVICE);
            wanSwitch.ip("link", "set", "d" + n, "master", "br0", "up").orThrow();
            gw.ip("addr", "add", "192.0.2." + (1 + n) + "/24", "dev", WAN_DEVICE).orThrow();
            gw.ip("link", "set", WAN_DEVICE, "up").orThrow();
            gw.sysctl("net.ipv4.ip_forward", "1");
            n++;
        }
        wanSwitch.addVeth("cl", cloud, WAN_DEVICE);
        wanSwitch.ip("link", "set", "cl", "master", "br0", "up").orThrow();
        cloud.ip("addr", "add", CLOUD_WAN + "/24", "dev", WAN_DEVICE).orThrow();
        cloud.ip("link", "set", WAN_DEVICE, "up").orThrow();
        cloud.sysctl("net.ipv4.ip_forward", "1");
        cloud.addVeth("vm1", vm1, "eth0");
        cloud.ip("addr", "add", "172.20.1.1/24", "dev", "vm1").orThrow();
        cloud.ip("link", "set", "vm1", "up").orThrow();
        vm1.ip("addr", "add", VM_ROUTED + "/24", "dev", "eth0").orThrow();
        vm1.ip("link", "set", "eth0", "up").orThrow();
        vm1.ip("route", "add", "default", "via", "172.20.1.1").orThrow();
        cloud.addBridge(BRIDGE);
        cloud.addVeth("vm2", vm2, "eth0");
        cloud.ip("link", "set", "vm2", "master", BRIDGE, "up").orThrow();
        vm2.ip("addr", "add", VM_STRETCHED + "/24", "dev", "eth0").orThrow();
        vm2.ip("link", "set", "eth0", "up").orThrow();
    }
}
