package io.ocbridge.cli.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The site configs of the demo, as text: one overlay {@value #OVERLAY} (TUN {@value #TUN_DEVICE}) with every other
 * site as a peer (full mesh), and the stretched segment {@value #SEGMENT}
 * (VNI {@value #VNI}, TAP {@value #TAP_DEVICE} into {@value #BRIDGE}) on all of them. Pure: no file, no key material
 * beyond the public keys it is given; the private key is a file beside the yaml ({@value #PRIVATE_KEY_FILE}).
 */
final class SiteYaml {
    static final String OVERLAY = "corp";
    static final String TUN_DEVICE = "ocb-corp";
    static final int LISTEN_PORT = 51820;
    static final int OVERLAY_PREFIX = 24;
    static final int TUNNEL_MTU = 1420;
    static final String SEGMENT = "lan";
    static final int VNI = 100;
    static final String TAP_DEVICE = "ocb-lan";
    static final String BRIDGE = "br-lan";
    static final String PRIVATE_KEY_FILE = "private.key";

    /**
     * One gateway as the others see it.
     * @param name the site name ({@code [a-z0-9-]})
     * @param wanAddress its underlay address; its endpoint is this and {@link #LISTEN_PORT}
     * @param overlayAddress its address on the overlay (also its VXLAN endpoint)
     * @param routedSubnets subnets behind it, routed to it through the overlay (besides its overlay /32)
     */
    record Site(String name, String wanAddress, String overlayAddress, List<String> routedSubnets) {
        Site {
            routedSubnets = List.copyOf(routedSubnets);
        }

        String endpoint() {
            return wanAddress + ":" + LISTEN_PORT;
        }

        List<String> allowedIps() {
            var ips = new ArrayList<String>();
            ips.add(overlayAddress + "/32");
            ips.addAll(routedSubnets);
            return ips;
        }
    }

    /**
     * A peer: the site, its public key (base64), and whether to name its endpoint. Without one the peer is
     * responder-only until it reaches us (a cloud gateway behind NAT answers the datacenter); with one on both
     * sides the two may initiate at the same moment.
     */
    record Peer(Site site, String publicKey, boolean withEndpoint) {
        Peer withEndpoint(boolean named) {
            return new Peer(site, publicKey, named);
        }
    }

    private SiteYaml() {}

    /** The config of {@code local}, its control socket at {@code controlSocket}, peering with each of {@code peers}. */
    static String render(Site local, String controlSocket, List<Peer> peers) {
        var y = new StringBuilder()
                .append("# ocbridge demo: site ").append(local.name()).append(", written by `ocbridge demo`\n")
                .append("site: ").append(local.name()).append('\n')
                .append("private-key-file: ").append(PRIVATE_KEY_FILE).append('\n')
                .append("control-socket: ").append(controlSocket).append('\n')
                .append("overlays:\n")
                .append("  - name: ").append(OVERLAY).append('\n')
                .append("    device: ").append(TUN_DEVICE).append('\n')
                .append("    listen-port: ").append(LISTEN_PORT).append('\n')
                .append("    addresses: [").append(local.overlayAddress()).append('/').append(OVERLAY_PREFIX).append("]\n")
                .append("    mtu: ").append(TUNNEL_MTU).append('\n')
                .append("    peers:\n");
        for (var peer : peers) {
            y.append("      - name: ").append(peer.site().name()).append('\n')
                    .append("        public-key: \"").append(peer.publicKey()).append("\"\n")
                    .append(peer.withEndpoint() ? "        endpoint: \"" + peer.site().endpoint() + "\"\n" : "")
                    .append("        allowed-ips: [").append(String.join(", ", peer.site().allowedIps())).append("]\n");
        }
        y.append("    segments:\n")
                .append("      - name: ").append(SEGMENT).append('\n')
                .append("        vni: ").append(VNI).append('\n')
                .append("        device: ").append(TAP_DEVICE).append('\n')
                .append("        bridge: ").append(BRIDGE).append('\n');
        return y.toString();
    }
}
