package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;
import java.nio.file.Path;
import java.util.List;

/**
 * One overlay: a TUN device with its addresses, a UDP port (0 = random) and the peers behind it.
 * {@code mtu} is the device MTU in bytes. Segments are the L2 segments riding inside it.
 * {@code ca} and {@code crl} are the site PKI files that peers' certificates were checked against; null if none.
 * {@code certificate} is this site's own certificate in that PKI (null if not given) and {@code pki} when the CA, the
 * CRL and our certificate run out (null without {@code ca}).
 */
public record OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
                            List<PeerConfig> peers, List<SegmentConfig> segments, Path ca, Path crl,
                            Path certificate, PkiValidity pki) {

    public static final int DEFAULT_MTU = 1420;

    public OverlayConfig {
        addresses = List.copyOf(addresses);
        peers = List.copyOf(peers);
        segments = List.copyOf(segments);
    }

    /** An overlay without site PKI. */
    public OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
            List<PeerConfig> peers, List<SegmentConfig> segments) {
        this(name, device, listenPort, addresses, mtu, peers, segments, null, null, null, null);
    }

    /** The same overlay with other peers (what a reload applied). */
    public OverlayConfig withPeers(List<PeerConfig> runningPeers) {
        return new OverlayConfig(name, device, listenPort, addresses, mtu, runningPeers, segments, ca, crl, certificate,
                pki);
    }

    /** An overlay without L2 segments. */
    public OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
            List<PeerConfig> peers) {
        this(name, device, listenPort, addresses, mtu, peers, List.of());
    }

    /** This gateway's VXLAN endpoint: the first IPv4 address of the overlay, or null. */
    public Cidr vtep() {
        return addresses.stream().filter(a -> !a.isIpv6()).findFirst().orElse(null);
    }
}
