package io.ocbridge.cli.demo;

import java.util.List;

/**
 * The demo's network: an enterprise site and two cloud sites, each gateway in its own namespace, joined by an underlay.
 * <pre>
 *   ent-host1 10.20.0.11 ─┐                                                 ┌─ br-lan ── vm1 (DHCP)
 *   ent-host2 10.20.0.12 ─┼─ br-lan 10.20.0.1  gw-dc ══╗         ╔══ gw-cloud1  (+ 172.21.1.1/24 behind it)
 *   dhcp      10.20.0.2  ─┘  (dnsmasq)         .1      ║   wan   ║   .2
 *                                                      ╚ br-wan ═╩══ gw-cloud2 ─ br-lan ── vm2 (DHCP)
 *                                                       192.0.2.0/24  .3
 *   overlay corp: 10.77.0.1 (dc), .2, .3, full mesh; segment lan (VNI 100): TAP ocb-lan in each br-lan
 * </pre>
 * Every LAN link is a veth with MTU {@value #LAN_MTU}. Devices are made with {@code ip -n}, each veth created in one
 * namespace with its peer placed straight into the other: the root namespace is never touched.
 */
final class DemoTopology {
    static final String WAN = "wan";
    static final String GW_DC = "gw-dc";
    static final String GW_CLOUD1 = "gw-cloud1";
    static final String GW_CLOUD2 = "gw-cloud2";
    static final String ENT_HOST1 = "ent-host1";
    static final String ENT_HOST2 = "ent-host2";
    static final String DHCP = "dhcp";
    static final String VM1 = "vm1";
    static final String VM2 = "vm2";
    /** Creation order; teardown is the reverse. */
    static final List<String> NAMESPACES = List.of(WAN, GW_DC, ENT_HOST1, ENT_HOST2, DHCP, GW_CLOUD1, VM1, GW_CLOUD2, VM2);

    static final int LAN_MTU = 1500;
    static final String LAN_PREFIX = "/24";
    static final String GW_DC_LAN = "10.20.0.1";
    static final String ENT_HOST1_ADDRESS = "10.20.0.11";
    static final String ENT_HOST2_ADDRESS = "10.20.0.12";
    static final String DHCP_SERVER_ADDRESS = "10.20.0.2";
    static final String DHCP_FIRST = "10.20.0.100";
    static final String DHCP_LAST = "10.20.0.150";
    /** The LAN interface of every host and VM, in its own namespace. */
    static final String HOST_DEVICE = "eth0";
    static final String UPLINK = "wan0";
    static final String WAN_BRIDGE = "br-wan";
    /** A subnet behind gw-cloud1, routed over the L3 overlay; 172.21.1.1 is on gw-cloud1's loopback. */
    static final String CLOUD1_SUBNET = "172.21.1.0/24";
    static final String CLOUD1_SUBNET_HOST = "172.21.1.1";

    static final SiteYaml.Site DC = new SiteYaml.Site("dc", "192.0.2.1", "10.77.0.1", List.of());
    static final SiteYaml.Site CLOUD1 = new SiteYaml.Site("cloud1", "192.0.2.2", "10.77.0.2", List.of(CLOUD1_SUBNET));
    static final SiteYaml.Site CLOUD2 = new SiteYaml.Site("cloud2", "192.0.2.3", "10.77.0.3", List.of());

    /** A site and the namespace of its gateway. */
    record Gateway(SiteYaml.Site site, String namespace) {}

    static final List<Gateway> GATEWAYS = List.of(
            new Gateway(DC, GW_DC), new Gateway(CLOUD1, GW_CLOUD1), new Gateway(CLOUD2, GW_CLOUD2));

    private DemoTopology() {}

    /** Creates every namespace and link; the daemons' TUN and TAP devices are theirs to create. */
    static void build(Namespaces net) {
        NAMESPACES.forEach(net::create);
        bridge(net, WAN, WAN_BRIDGE);
        for (var gw : GATEWAYS) {
            String port = "to-" + gw.namespace().substring("gw-".length());
            net.ip(WAN, "link", "add", port, "type", "veth", "peer", "name", UPLINK, "netns", net.ns(gw.namespace()));
            net.ip(WAN, "link", "set", port, "master", WAN_BRIDGE, "up");
            net.ip(gw.namespace(), "addr", "add", gw.site().wanAddress() + LAN_PREFIX, "dev", UPLINK);
            net.ip(gw.namespace(), "link", "set", UPLINK, "up");
            bridge(net, gw.namespace(), SiteYaml.BRIDGE);
        }
        net.ip(GW_DC, "addr", "add", GW_DC_LAN + LAN_PREFIX, "dev", SiteYaml.BRIDGE);
        host(net, GW_DC, "p-host1", ENT_HOST1, ENT_HOST1_ADDRESS);
        host(net, GW_DC, "p-host2", ENT_HOST2, ENT_HOST2_ADDRESS);
        host(net, GW_DC, "p-dhcp", DHCP, DHCP_SERVER_ADDRESS);
        host(net, GW_CLOUD1, "p-vm1", VM1, null);
        host(net, GW_CLOUD2, "p-vm2", VM2, null);
        net.ip(GW_CLOUD1, "addr", "add", CLOUD1_SUBNET_HOST + "/32", "dev", "lo"); // a host of the cloud subnet
    }

    /** A bridge with STP off (ports forward at once), up. */
    private static void bridge(Namespaces net, String ns, String name) {
        net.ip(ns, "link", "add", name, "type", "bridge", "stp_state", "0");
        net.ip(ns, "link", "set", name, "up");
    }

    /** A veth from {@code gw}'s br-lan (port {@code port}) to {@code host}'s eth0, MTU 1500; address optional. */
    private static void host(Namespaces net, String gw, String port, String host, String address) {
        String mtu = Integer.toString(LAN_MTU);
        net.ip(gw, "link", "add", port, "mtu", mtu, "type", "veth",
                "peer", "name", HOST_DEVICE, "mtu", mtu, "netns", net.ns(host));
        net.ip(gw, "link", "set", port, "master", SiteYaml.BRIDGE, "up");
        if (address != null) {
            net.ip(host, "addr", "add", address + LAN_PREFIX, "dev", HOST_DEVICE);
        }
        net.ip(host, "link", "set", HOST_DEVICE, "up");
    }
}
