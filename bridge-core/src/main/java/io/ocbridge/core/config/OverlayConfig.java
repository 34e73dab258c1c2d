package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;
import java.util.List;

/**
 * One overlay: a TUN device with its addresses, a UDP port (0 = random) and the peers behind it.
 * {@code mtu} is the device MTU in bytes.
 */
public record OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
                            List<PeerConfig> peers) {

    public static final int DEFAULT_MTU = 1420;

    public OverlayConfig {
        addresses = List.copyOf(addresses);
        peers = List.copyOf(peers);
    }
}
