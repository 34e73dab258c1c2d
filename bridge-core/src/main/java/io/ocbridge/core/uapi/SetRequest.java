package io.ocbridge.core.uapi;

import io.ocbridge.core.route.Cidr;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed {@code set=1} request: device changes, then peer sections in the order sent. A null field means "not
 * given". Key arrays are raw 32 bytes; {@link #destroy()} zeroes the secrets once applied.
 */
public record SetRequest(DeviceChange device, List<PeerChange> peers) {

    /** {@code private_key}, {@code listen_port}, {@code fwmark}, {@code replace_peers=true}. */
    public record DeviceChange(byte[] privateKey, Integer listenPort, Integer fwmark, boolean replacePeers) {}

    /**
     * One {@code public_key} section. {@code replaceAllowedIps} drops the peer's prefixes before {@code addAllowedIps}
     * are added; {@code removeAllowedIps} are the {@code allowed_ip=-prefix} lines.
     */
    public record PeerChange(byte[] publicKey, boolean remove, boolean updateOnly, byte[] presharedKey,
            InetSocketAddress endpoint, Integer persistentKeepaliveSeconds, boolean replaceAllowedIps,
            List<Cidr> addAllowedIps, List<Cidr> removeAllowedIps) {
        public PeerChange {
            addAllowedIps = List.copyOf(addAllowedIps);
            removeAllowedIps = List.copyOf(removeAllowedIps);
        }
    }

    public SetRequest {
        peers = List.copyOf(peers);
    }

    /** Zeroes the private and preshared keys this request carries. */
    public void destroy() {
        if (device.privateKey() != null) {
            Arrays.fill(device.privateKey(), (byte) 0);
        }
        for (PeerChange peer : peers) {
            if (peer.presharedKey() != null) {
                Arrays.fill(peer.presharedKey(), (byte) 0);
            }
        }
    }
}
