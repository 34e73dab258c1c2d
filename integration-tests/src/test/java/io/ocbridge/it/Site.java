package io.ocbridge.it;

import java.nio.file.Path;
import java.util.List;

/**
 * One site of a {@link Lab} as a tunnel endpoint sees it: its gateway namespace, addresses and static keys.
 * {@link #asPeer()} is how the other side describes it.
 */
record Site(String name, Netns gateway, String wanAddress, String overlayAddress, String lan, Keys.Pair keys) {

    static Site a(Topology t, Keys.Pair keys) {
        return new Site("site-a", t.gwA, Topology.WAN_A, Topology.OVERLAY_A, Topology.LAN_A, keys);
    }

    static Site b(Topology t, Keys.Pair keys) {
        return new Site("site-b", t.gwB, Topology.WAN_B, Topology.OVERLAY_B, Topology.LAN_B, keys);
    }

    String overlayCidr() {
        return overlayAddress + "/" + Topology.OVERLAY_PREFIX;
    }

    String endpoint() {
        return wanAddress + ":" + Topology.LISTEN_PORT;
    }

    /** This site as seen by the other: its public key, its overlay address and LAN as allowed IPs, no endpoint, no PSK. */
    Peer asPeer() {
        return new Peer(name, keys.publicKey(), List.of(overlayAddress + "/32", lan), null, null, null);
    }

    /**
     * This site as a peer of an L2 segment only: its overlay address (its VXLAN endpoint) is its one allowed IP, so the
     * other side routes nothing through the tunnel; reached at {@link #endpoint()}, no PSK.
     */
    Peer asVtepPeer() {
        return new Peer(name, keys.publicKey(), List.of(overlayAddress + "/32"), endpoint(), null, null);
    }

    /**
     * A peer of a tunnel.
     * @param endpoint "ip:port", or null for a peer that must initiate
     * @param presharedKeyFile a file holding the PSK (mode 0600), or null for none
     * @param persistentKeepaliveSeconds or null for none
     */
    record Peer(String name, String publicKey, List<String> allowedIps, String endpoint, Path presharedKeyFile,
                Integer persistentKeepaliveSeconds) {

        Peer withEndpoint(String newEndpoint) {
            return new Peer(name, publicKey, allowedIps, newEndpoint, presharedKeyFile, persistentKeepaliveSeconds);
        }

        Peer withPresharedKeyFile(Path file) {
            return new Peer(name, publicKey, allowedIps, endpoint, file, persistentKeepaliveSeconds);
        }

        Peer withPublicKey(String key) {
            return new Peer(name, key, allowedIps, endpoint, presharedKeyFile, persistentKeepaliveSeconds);
        }

        Peer withPersistentKeepalive(int seconds) {
            return new Peer(name, publicKey, allowedIps, endpoint, presharedKeyFile, seconds);
        }

        /**
         * The allowed IPs that need a route through the tunnel in the main table (the ones outside the overlay's own
         * subnet; a /0 is the forced tunnel's, in a table of its own).
         */
        List<String> routedIps() {
            return allowedIps.stream().filter(ip -> !ip.endsWith("/32") && !ip.endsWith("/0")).toList();
        }
    }
}
