package io.ocbridge.core.l2;

import io.ocbridge.core.counters.EnumCounters;
import io.ocbridge.core.packet.Ethernet;

/** Frame counts of one segment; written by the event loop, readable from any thread. */
public final class SegmentCounters extends EnumCounters<SegmentCounters.Event> {
    public enum Event {
        /** Frames read from the TAP device. */
        LOCAL_FRAMES,
        /** Frames from peers written to the TAP device. */
        REMOTE_FRAMES,
        /** Local frames sent to one learned peer. */
        UNICAST,
        /** Local frames flooded (broadcast, multicast, unknown unicast) to every member. */
        FLOODED,
        /** Frames from one peer forwarded to other peers (relay mode). */
        RELAYED,
        /** Inner VXLAN packets split into fragments to fit the overlay MTU. */
        FRAGMENTED,
        /** TCP SYNs whose MSS option was lowered. */
        MSS_CLAMPED,
        /** MACs learned behind a peer or on the local side. */
        MAC_LEARNED,
        /** MACs that moved between owners (peers, or a peer and the local side). */
        MAC_MOVED,
        /** RARP frames sent to a peer whose session started afresh, one per local MAC (see MacAnnouncer). */
        MAC_ANNOUNCED,
        /** A MAC moved again within a second of its last move: a loop or a duplicate MAC. */
        MAC_FLAPPING,
        /** A MAC moved too often within 10 s and was frozen to its keeper (the local side, else its long-standing owner) for the hold time. */
        MAC_DAMPED,
        /** A MAC could not be learned because the table is full (its frames are flooded). */
        MAC_TABLE_FULL,
        /** IP → MAC bindings learned (or changed) from ARP and Neighbor Advertisements from peers. */
        NEIGHBOR_LEARNED,
        /** A binding could not be learned because the neighbor table is full. */
        NEIGHBOR_TABLE_FULL,
        /** Local ARP requests answered by the gateway instead of flooded. */
        ARP_SUPPRESSED,
        /** Local Neighbor Solicitations answered by the gateway instead of flooded. */
        ND_SUPPRESSED,
        /** Frames from a peer that is not a member of this segment. */
        DROP_NOT_MEMBER,
        /** Frames too short to be Ethernet, or bigger than we carry. */
        DROP_MALFORMED,
        /** The TAP device refused the write. */
        DROP_DEVICE,
        /** Local frames read while this gateway is the standby of an HA pair: the active one carries the LAN. */
        DROP_STANDBY,
        /** Flooded frames (or copies, one per peer) over the per-peer rate limit. */
        DROP_FLOOD_LIMIT,
        /** Frames from a peer whose source MAC is frozen to another peer. */
        DROP_MAC_DAMPED,
        /** DHCP server messages from peers, or local DHCP requests, stopped by {@code dhcp: block}. */
        DROP_DHCP_GUARD,
        /** A MAC from a peer could not be learned because that peer holds its share of the MAC table. */
        MAC_SHARE_FULL,
        /** A binding from a peer could not be learned because that peer holds its share of the neighbor table. */
        NEIGHBOR_SHARE_FULL,
    }

    public SegmentCounters() {
        super(Event.class);
    }
}
