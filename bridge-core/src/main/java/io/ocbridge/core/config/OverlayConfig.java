package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.route.ForcedTunnel;
import java.nio.file.Path;
import java.util.List;

/**
 * One overlay: a TUN device with its addresses, a UDP port (0 = random) and the peers behind it.
 * {@code mtu} is the device MTU in bytes. Segments are the L2 segments riding inside it.
 * {@code ca} and {@code crl} are the site PKI files that peers' certificates were checked against; null if none.
 * {@code certificate} is this site's own certificate in that PKI (null if not given) and {@code pki} when the CA, the
 * CRL and our certificate run out (null without {@code ca}).
 * {@code fwmark} is the mark the overlay's UDP socket puts on its datagrams (0: none, else 32 bits unsigned);
 * {@code forcedTunnel} is the default route through the device ({@code default-route: true}), null if off.
 */
public record OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
                            List<PeerConfig> peers, List<SegmentConfig> segments, Path ca, Path crl,
                            Path certificate, PkiValidity pki, long fwmark, ForcedTunnel forcedTunnel) {

    public static final int DEFAULT_MTU = 1420;

    public OverlayConfig {
        addresses = List.copyOf(addresses);
        peers = List.copyOf(peers);
        segments = List.copyOf(segments);
    }

    /** An overlay without our own certificate, PKI deadlines, socket mark or forced tunnelling. */
    public OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
            List<PeerConfig> peers, List<SegmentConfig> segments, Path ca, Path crl) {
        this(name, device, listenPort, addresses, mtu, peers, segments, ca, crl, null, null, 0, null);
    }

    /** An overlay without site PKI. */
    public OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
            List<PeerConfig> peers, List<SegmentConfig> segments) {
        this(name, device, listenPort, addresses, mtu, peers, segments, null, null);
    }

    /** The same overlay with other peers (what a reload applied). */
    public OverlayConfig withPeers(List<PeerConfig> runningPeers) {
        return new OverlayConfig(name, device, listenPort, addresses, mtu, runningPeers, segments, ca, crl, certificate,
                pki, fwmark, forcedTunnel);
    }

    /** An overlay without L2 segments. */
    public OverlayConfig(String name, String device, int listenPort, List<Cidr> addresses, int mtu,
            List<PeerConfig> peers) {
        this(name, device, listenPort, addresses, mtu, peers, List.of());
    }

    /** This overlay with another socket mark. */
    public OverlayConfig withFwmark(long mark) {
        return new OverlayConfig(name, device, listenPort, addresses, mtu, peers, segments, ca, crl, certificate, pki,
                mark, forcedTunnel);
    }

    /** This gateway's VXLAN endpoint: the first IPv4 address of the overlay, or null. */
    public Cidr vtep() {
        return addresses.stream().filter(a -> !a.isIpv6()).findFirst().orElse(null);
    }
}
