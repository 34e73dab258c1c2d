package io.ocbridge.it;

import io.ocbridge.cli.demo.LinkChecks;
import java.util.ArrayList;
import java.util.List;

/**
 * An enterprise Ethernet segment stretched to one or more cloud sites (issue #3). Each site's LAN is a bridge
 * {@value #BRIDGE} in its gateway's namespace; the test attaches each bridge to the overlay (ocbridge's TAP, or a kernel
 * vxlan device over wireguard-go: {@link KernelVxlan}).
 * <pre>
 *  entHost1 10.20.0.11/24 --eth0/e1--+
 *  entHost2 10.20.0.12/24 --eth0/e2--+ br-lan (gwDc)   gwDc wan 192.0.2.1/24 == 192.0.2.2/24 gwCloud1
 *  dhcp     10.20.0.2/24  --eth0/dh--+                                                       br-lan --vm0/eth0-- vm1
 *  overlay: gwDc 10.77.0.1/24, gwCloud<i> 10.77.0.(1+i)/24; VMs have no address until they take a DHCP lease
 * </pre>
 * One cloud: a direct veth underlay. Several: gwDc's uplink is a bridge {@code br-wan} holding 192.0.2.1 with a veth
 * to each cloud gateway. Every LAN link has MTU {@value #LAN_MTU}. A {@link Lab}: {@link #close()} takes it all down.
 */
final class L2Topology extends Lab {
    static final String LAN = "10.20.0.0/24";
    static final String ENT_HOST_1 = "10.20.0.11";
    static final String ENT_HOST_2 = "10.20.0.12";
    static final String DHCP_SERVER = "10.20.0.2";
    static final String DHCP_FIRST = "10.20.0.100";
    static final String DHCP_LAST = "10.20.0.150";
    static final int LAN_PREFIX = 24;
    static final String BRIDGE = "br-lan";
    static final String SEGMENT = "lan";
    static final int VNI = 100;
    static final int VXLAN_PORT = 4789;
    static final int LAN_MTU = 1500;
    /** ICMP payload of a full-size frame: 1500 - 20 (IPv4) - 8 (ICMP). */
    static final int FULL_SIZE_PING_PAYLOAD = LAN_MTU - 28;
    /** MTU of a wireguard-go interface that carries a kernel vxlan with full-size frames (at least 1500 + 50). */
    static final int KERNEL_VXLAN_WG_MTU = 1600;
    /** The device name of every host's and VM's LAN interface, in its own namespace. */
    static final String HOST_DEVICE = "eth0";

    final Site dc;
    final Netns entHost1;
    final Netns entHost2;
    final Netns dhcp;
    private final List<Site> clouds = new ArrayList<>();
    private final List<Netns> vms = new ArrayList<>();

    private L2Topology(String testName, int cloudCount) {
        super(testName);
        try {
            dc = new Site("dc", namespace("dc"), "192.0.2.1", "10.77.0.1", LAN, Keys.generate());
            entHost1 = namespace("e1");
            entHost2 = namespace("e2");
            dhcp = namespace("dh");
            for (int i = 1; i <= cloudCount; i++) {
                clouds.add(new Site("cloud-" + (char) ('a' + i - 1), namespace("c" + i), "192.0.2." + (1 + i),
                        "10.77.0." + (1 + i), LAN, Keys.generate()));
                vms.add(namespace("v" + i));
            }
            wire();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** The enterprise site and {@code cloudCount} cloud sites, wired; the overlays are the test's to add. */
    static L2Topology create(String testName, int cloudCount) {
        if (cloudCount < 1 || cloudCount > 9) {
            throw new IllegalArgumentException("clouds: " + cloudCount);
        }
        return new L2Topology(testName, cloudCount);
    }

    /** Cloud site {@code i} (0-based): gateway gwCloud(i+1). */
    Site cloud(int i) {
        return clouds.get(i);
    }

    /** The VM of cloud site {@code i} (0-based); its LAN interface is {@value #HOST_DEVICE}, without an address. */
    Netns vm(int i) {
        return vms.get(i);
    }

    List<Site> clouds() {
        return List.copyOf(clouds);
    }

    /** Every site, the enterprise first. */
    List<Site> sites() {
        var all = new ArrayList<Site>();
        all.add(dc);
        all.addAll(clouds);
        return all;
    }

    /** Every other site as a VXLAN-only peer of {@code local}: full mesh. */
    List<Site.Peer> peersOf(Site local) {
        return sites().stream().filter(s -> !s.equals(local)).map(Site::asVtepPeer).toList();
    }

    /** The segment as ocbridge's config names it: VNI {@value #VNI}, TAP {@code <prefix><tapSuffix>} into br-lan. */
    SiteConfig.Segment segment(String tapSuffix) {
        return SiteConfig.Segment.bridged(SEGMENT, VNI, deviceName(tapSuffix), BRIDGE);
    }

    /**
     * The stock way to attach {@code site}'s br-lan to the segment: wireguard-go (MTU {@value #KERNEL_VXLAN_WG_MTU}) to
     * every other site, and a kernel vxlan flooding to each of their overlay addresses.
     */
    WireGuardGo attachKernelVxlan(Site site, String wgSuffix) {
        var peers = peersOf(site);
        var wg = WireGuardGo.start(this, site, wgSuffix, peers, KERNEL_VXLAN_WG_MTU);
        KernelVxlan.attach(site.gateway(), VNI, site.overlayAddress(),
                peers.stream().map(p -> p.allowedIps().getFirst().replace("/32", "")).toList(),
                wg.device(), LAN_MTU, BRIDGE);
        return wg;
    }

    /** dnsmasq in the dhcp namespace, serving {@value #DHCP_FIRST}..{@value #DHCP_LAST}. */
    DhcpServer startDhcpServer() {
        return DhcpServer.start(this, dhcp, HOST_DEVICE, DHCP_FIRST, DHCP_LAST);
    }

    /**
     * Another LAN at {@code site}: bridge {@code bridge} in its gateway (created if missing) and a host namespace
     * ({@code label}) on it at {@code address}/{@value #LAN_PREFIX}, its interface {@value #HOST_DEVICE}.
     */
    Netns addLanHost(Site site, String bridge, String label, String address) {
        var gw = site.gateway();
        if (!gw.ip("link", "show", "dev", bridge).ok()) {
            gw.addBridge(bridge);
        }
        Netns host = namespace(label);
        host(gw, label, bridge, host, address);
        return host;
    }

    /** The MAC address of {@code ns}'s LAN interface. */
    static String macOf(Netns ns) {
        String out = ns.ip("-o", "link", "show", "dev", HOST_DEVICE).orThrow().output();
        return LinkChecks.mac(out).orElseThrow(() -> new IllegalStateException("no MAC in: " + out));
    }

    private void wire() {
        var gwDc = dc.gateway();
        gwDc.addBridge(BRIDGE);
        host(gwDc, "e1", entHost1, ENT_HOST_1);
        host(gwDc, "e2", entHost2, ENT_HOST_2);
        host(gwDc, "dh", dhcp, DHCP_SERVER);
        for (int i = 0; i < clouds.size(); i++) {
            var gw = clouds.get(i).gateway();
            gw.addBridge(BRIDGE);
            host(gw, "vm0", vms.get(i), null);
        }
        if (clouds.size() == 1) {
            var gw = clouds.getFirst().gateway();
            gwDc.addVeth("wan0", gw, "wan0");
            gwDc.ip("addr", "add", dc.wanAddress() + "/24", "dev", "wan0").orThrow();
            gwDc.ip("link", "set", "wan0", "up").orThrow();
        } else {
            gwDc.addBridge("br-wan");
            gwDc.ip("addr", "add", dc.wanAddress() + "/24", "dev", "br-wan").orThrow();
            for (int i = 0; i < clouds.size(); i++) {
                String port = "wan" + (i + 1);
                gwDc.ip("link", "add", port, "type", "veth", "peer", "name", "wan0",
                        "netns", clouds.get(i).gateway().name()).orThrow();
                gwDc.ip("link", "set", port, "master", "br-wan", "up").orThrow();
            }
        }
        for (var cloud : clouds) {
            cloud.gateway().ip("addr", "add", cloud.wanAddress() + "/24", "dev", "wan0").orThrow();
            cloud.gateway().ip("link", "set", "wan0", "up").orThrow();
        }
    }

    /** A veth from {@code gw}'s br-lan (port {@code port}) to {@code host}'s eth0, MTU 1500; address optional. */
    private static void host(Netns gw, String port, Netns host, String address) {
        host(gw, port, BRIDGE, host, address);
    }

    /** A veth from {@code gw}'s {@code bridge} (port {@code port}) to {@code host}'s eth0, MTU 1500; address optional. */
    private static void host(Netns gw, String port, String bridge, Netns host, String address) {
        gw.ip("link", "add", port, "mtu", Integer.toString(LAN_MTU), "type", "veth",
                "peer", "name", HOST_DEVICE, "mtu", Integer.toString(LAN_MTU), "netns", host.name()).orThrow();
        gw.ip("link", "set", port, "master", bridge, "up").orThrow();
        if (address != null) {
            host.ip("addr", "add", address + "/" + LAN_PREFIX, "dev", HOST_DEVICE).orThrow();
        }
        host.ip("link", "set", HOST_DEVICE, "up").orThrow();
    }
}
