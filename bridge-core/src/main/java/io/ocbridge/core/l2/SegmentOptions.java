package io.ocbridge.core.l2;

/**
 * A segment's forwarding rules and safeguards.
 *
 * @param relay                 forward frames between peers (hub); otherwise frames from peers only go to the TAP
 * @param floodLimitPerSecond   broadcast/unknown-unicast/multicast frames per second per peer and direction
 *                              (burst: one second's worth); 0 = no limit
 * @param arpSuppression        answer local ARP requests and Neighbor Solicitations for addresses bound behind peers
 * @param dhcpBlock             drop DHCP server messages from peers and keep local DHCP requests off the tunnel
 * @param macFlapLimit          moves within 10 s after which a MAC is frozen to its owner; 0 = no damping
 * @param macFlapHoldNanos      how long a damped MAC stays frozen
 */
public record SegmentOptions(boolean relay, int floodLimitPerSecond, boolean arpSuppression, boolean dhcpBlock,
        int macFlapLimit, long macFlapHoldNanos) {
    public static final int DEFAULT_FLOOD_LIMIT_PER_SECOND = 1000;
    public static final int DEFAULT_MAC_FLAP_LIMIT = 5;
    public static final long DEFAULT_MAC_FLAP_HOLD_NANOS = 30_000_000_000L;
    public static final SegmentOptions DEFAULTS = new SegmentOptions(false, DEFAULT_FLOOD_LIMIT_PER_SECOND, true, false,
            DEFAULT_MAC_FLAP_LIMIT, DEFAULT_MAC_FLAP_HOLD_NANOS);

    public SegmentOptions withRelay(boolean value) {
        return new SegmentOptions(value, floodLimitPerSecond, arpSuppression, dhcpBlock, macFlapLimit, macFlapHoldNanos);
    }

    public SegmentOptions withFloodLimit(int value) {
        return new SegmentOptions(relay, value, arpSuppression, dhcpBlock, macFlapLimit, macFlapHoldNanos);
    }

    public SegmentOptions withArpSuppression(boolean value) {
        return new SegmentOptions(relay, floodLimitPerSecond, value, dhcpBlock, macFlapLimit, macFlapHoldNanos);
    }

    public SegmentOptions withDhcpBlock(boolean value) {
        return new SegmentOptions(relay, floodLimitPerSecond, arpSuppression, value, macFlapLimit, macFlapHoldNanos);
    }

    public SegmentOptions withMacFlapDamping(int limit, long holdNanos) {
        return new SegmentOptions(relay, floodLimitPerSecond, arpSuppression, dhcpBlock, limit, holdNanos);
    }
}
