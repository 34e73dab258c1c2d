package io.ocbridge.core.overlay;

import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentCounters;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.route.ForcedTunnel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of one overlay for operators: identity (public key only), peers, counters.
 * {@link #capture} must run on the overlay's event loop; the result may then travel to any thread.
 */
public record OverlayStatus(String name, String device, int listenPort, String publicKey, List<PeerStatus> peers,
        Map<DropReason, Long> drops, Map<Event, Long> handshakes, List<SegmentStatus> segments, Offloads offloads,
        List<RefusedPeer> refusedPeers, Pki pki, Routing routing) {

    /**
     * The mark on the overlay's UDP datagrams (0: none) and its forced tunnel as installed (null: off). The
     * overlay's {@code routing} is null when unknown (a daemon older than this field).
     */
    public record Routing(long fwmark, ForcedTunnel forcedTunnel) {}

    /**
     * The kernel offloads in use: TSO and checksum offload on the overlay's TUN device (and its segments' TAPs),
     * UDP GSO and GRO on its socket. GSO turns itself off when the kernel refuses a GSO send (an underlay path MTU
     * below the overlay's datagrams). The overlay's {@code offloads} is null when unknown (a daemon older than
     * this field).
     */
    public record Offloads(boolean device, boolean udpGso, boolean udpGro) {}

    /**
     * A configured peer the daemon does not admit, and why: {@code reason} is {@code certificate-expired},
     * {@code ca-expired} or {@code crl-expired}; {@code sinceEpochSeconds} when it was refused.
     */
    public record RefusedPeer(String name, String reason, long sinceEpochSeconds) {}

    /**
     * One certificate's end: {@code name} is the peer's (or, for our own, the site's); {@code state} is {@code valid},
     * {@code expiring} (within the warning window) or {@code expired}.
     */
    public record CertificateExpiry(String name, long notAfterEpochSeconds, String state) {}

    /**
     * The overlay's site PKI (null without {@code ca:}): when the CA ends, when the CRL needs its next update (0 and
     * null state without a CRL), our own certificate (null if not configured), each peer's.
     */
    public record Pki(long caNotAfterEpochSeconds, long crlNextUpdateEpochSeconds, String crlState,
            CertificateExpiry own, List<CertificateExpiry> certificates) {
        public Pki {
            certificates = List.copyOf(certificates);
        }
    }

    /** Whether a peer can send right now, is working on it, or neither. */
    public enum Session { NONE, HANDSHAKING, ESTABLISHED }

    /**
     * One peer. {@code endpoint} is null when unknown; {@code latestHandshakeEpochSeconds} is 0 when there has been
     * none; keepalive 0 means off; packets are transport messages, keepalives included.
     */
    public record PeerStatus(String name, String publicKey, String endpoint, List<String> allowedIps,
            long latestHandshakeEpochSeconds, long rxBytes, long txBytes, Session session,
            int persistentKeepaliveSeconds, long rxPackets, long txPackets) {
        public PeerStatus {
            allowedIps = List.copyOf(allowedIps);
        }

        /** Packet counts unknown (0): a daemon older than them. */
        public PeerStatus(String name, String publicKey, String endpoint, List<String> allowedIps,
                long latestHandshakeEpochSeconds, long rxBytes, long txBytes, Session session,
                int persistentKeepaliveSeconds) {
            this(name, publicKey, endpoint, allowedIps, latestHandshakeEpochSeconds, rxBytes, txBytes, session,
                    persistentKeepaliveSeconds, 0, 0);
        }
    }

    /** One L2 segment: its switch's table size, counters and member peers. */
    public record SegmentStatus(String name, int vni, String device, int macTableSize,
            Map<SegmentCounters.Event, Long> counters, List<String> members) {
        public SegmentStatus {
            counters = Map.copyOf(counters);
            members = List.copyOf(members);
        }

        /** Reads {@code segment}; event loop only. */
        public static SegmentStatus capture(Segment segment) {
            return new SegmentStatus(segment.name(), segment.vni(), segment.device(), segment.macTableSize(),
                    segment.counters().snapshot(), segment.members().stream().map(m -> m.peer().name()).toList());
        }
    }

    public OverlayStatus {
        peers = List.copyOf(peers);
        drops = Map.copyOf(drops);
        handshakes = Map.copyOf(handshakes);
        segments = List.copyOf(segments);
        refusedPeers = List.copyOf(refusedPeers);
    }

    /** No refused peers, no PKI: a daemon older than them, or an overlay without {@code ca:}. */
    public OverlayStatus(String name, String device, int listenPort, String publicKey, List<PeerStatus> peers,
            Map<DropReason, Long> drops, Map<Event, Long> handshakes, List<SegmentStatus> segments, Offloads offloads,
            Routing routing) {
        this(name, device, listenPort, publicKey, peers, drops, handshakes, segments, offloads, List.of(), null,
                routing);
    }

    /** No refused peers, no PKI, routing unknown: a daemon older than them. */
    public OverlayStatus(String name, String device, int listenPort, String publicKey, List<PeerStatus> peers,
            Map<DropReason, Long> drops, Map<Event, Long> handshakes, List<SegmentStatus> segments, Offloads offloads) {
        this(name, device, listenPort, publicKey, peers, drops, handshakes, segments, offloads, null);
    }

    /** This snapshot with the site PKI's view added (the daemon keeps it beside the overlay). */
    public OverlayStatus withCertificates(List<RefusedPeer> refused, Pki sitePki) {
        return new OverlayStatus(name, device, listenPort, publicKey, peers, drops, handshakes, segments, offloads,
                refused, sitePki, routing);
    }

    /** An overlay without L2 segments, offloads unknown. */
    public OverlayStatus(String name, String device, int listenPort, String publicKey, List<PeerStatus> peers,
            Map<DropReason, Long> drops, Map<Event, Long> handshakes) {
        this(name, device, listenPort, publicKey, peers, drops, handshakes, List.of(), null);
    }

    /** Offloads unknown. */
    public OverlayStatus(String name, String device, int listenPort, String publicKey, List<PeerStatus> peers,
            Map<DropReason, Long> drops, Map<Event, Long> handshakes, List<SegmentStatus> segments) {
        this(name, device, listenPort, publicKey, peers, drops, handshakes, segments, null);
    }

    /** Reads {@code overlay}'s state. Event loop only: peers, sessions and endpoints are single-writer state. */
    public static OverlayStatus capture(Overlay overlay, String device, int listenPort, Offloads offloads,
            Routing routing) {
        long now = overlay.now();
        List<PeerStatus> peers = new ArrayList<>(overlay.peers().size());
        Map<Peer, List<Cidr>> prefixes = overlay.allowedIps().prefixesByOwner();
        for (Peer peer : overlay.peers()) {
            List<String> allowed = prefixes.getOrDefault(peer, List.of()).stream().map(Cidr::toString).toList();
            peers.add(new PeerStatus(peer.name(), peer.publicKey().toBase64(),
                    peer.endpoint() == null ? null : Log.endpoint(peer.endpoint()), allowed,
                    peer.lastHandshakeEpochMillis() / 1000, peer.rxBytes(), peer.txBytes(),
                    session(overlay, peer, now), peer.persistentKeepaliveSeconds(), peer.rxPackets(), peer.txPackets()));
        }
        return new OverlayStatus(overlay.name(), device, listenPort, overlay.identity().publicKey().toBase64(), peers,
                overlay.drops().snapshot(), overlay.handshakes().snapshot(),
                overlay.segments().stream().map(SegmentStatus::capture).toList(), offloads, routing);
    }

    private static Session session(Overlay overlay, Peer peer, long now) {
        if (overlay.usableForSending(peer.keypairs().current(), now)) {
            return Session.ESTABLISHED;
        }
        if (peer.pendingInitiationIndex() != 0 || peer.keypairs().next() != null) {
            return Session.HANDSHAKING;
        }
        return Session.NONE;
    }
}
