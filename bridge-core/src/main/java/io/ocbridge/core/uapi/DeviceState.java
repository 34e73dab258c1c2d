package io.ocbridge.core.uapi;

import io.ocbridge.core.route.Cidr;
import java.util.Arrays;
import java.util.List;

/**
 * What a UAPI {@code get} reports about one device, captured on its overlay's event loop. Keys are raw 32-byte
 * arrays; {@code privateKey} and each {@code presharedKey} are null unless the client may see secrets (root), and
 * {@link #destroy()} zeroes them once the reply is written. {@code fwmark} is the socket's mark, 0 for none.
 */
public record DeviceState(byte[] privateKey, int listenPort, long fwmark, List<PeerState> peers) {

    /**
     * One peer. {@code endpoint} is null when unknown, written as {@code host:port} or {@code [v6]:port};
     * {@code lastHandshakeEpochMillis} is 0 when there has been none.
     */
    public record PeerState(byte[] publicKey, byte[] presharedKey, String endpoint, long lastHandshakeEpochMillis,
            long txBytes, long rxBytes, int persistentKeepaliveSeconds, List<Cidr> allowedIps) {
        public PeerState {
            allowedIps = List.copyOf(allowedIps);
        }
    }

    public DeviceState {
        peers = List.copyOf(peers);
    }

    /** A device whose socket carries no mark. */
    public DeviceState(byte[] privateKey, int listenPort, List<PeerState> peers) {
        this(privateKey, listenPort, 0, peers);
    }

    /** Zeroes the secrets this snapshot holds. */
    public void destroy() {
        if (privateKey != null) {
            Arrays.fill(privateKey, (byte) 0);
        }
        for (PeerState peer : peers) {
            if (peer.presharedKey() != null) {
                Arrays.fill(peer.presharedKey(), (byte) 0);
            }
        }
    }
}
