package io.ocbridge.core.overlay;

/** Every fate of a packet that does not reach its destination. One counter per value. */
public enum DropReason {
    /** Datagram too short, bad type field, or wrong size for its type. */
    MALFORMED,
    /** Handshake message whose MAC1 does not authenticate to our public key. */
    BAD_MAC1,
    /** Under load and the initiator did not present a valid cookie (a cookie reply was sent). */
    COOKIE_REQUIRED,
    /**
     * Under load, a handshake message with a valid MAC2 from a source address past its rate
     * (20/s, burst 5 per IPv4 address or IPv6 /64; see HandshakeRateLimiter).
     */
    RATE_LIMITED,
    /**
     * Under load, a handshake message without a valid MAC2 from a source that already had its share of cookie replies
     * (20/s, burst 5, as {@link #RATE_LIMITED}): a legitimate initiator needs one every two minutes.
     */
    COOKIE_RATE_LIMITED,
    /**
     * Handshake message that found the handshake queue full, in total or for its source (1024 messages, 16 per IPv4
     * address or IPv6 /64): handshakes are arriving faster than their share of the event loop can answer.
     */
    HANDSHAKE_QUEUE_FULL,
    /** Handshake message that authenticated MAC1 but failed the Noise checks. */
    HANDSHAKE_FAILED,
    /** Cookie reply that did not decrypt or matched no pending handshake. */
    BAD_COOKIE_REPLY,
    /** Message for a receiver index we did not hand out (or already retired). */
    UNKNOWN_INDEX,
    /** Transport message on a keypair past REJECT_AFTER_TIME or without a key. */
    KEYPAIR_EXPIRED,
    /** Transport message whose Poly1305 tag does not verify. */
    DECRYPT_FAILED,
    /** Counter already seen or left behind by the replay window. */
    REPLAY,
    /** Decrypted packet whose inner source address is not in the sending peer's allowed-ips. */
    SOURCE_NOT_ALLOWED,
    /** Decrypted payload that is not a well-formed IPv4/IPv6 packet. */
    NOT_IP,
    /** VXLAN packet to our endpoint for a VNI we carry no segment for. */
    UNKNOWN_VNI,
    /** Device packet whose destination matches no peer's allowed-ips. */
    NO_ROUTE,
    /** Packet for a peer we have no endpoint for (responder-only until it reaches us). */
    NO_ENDPOINT,
    /** Packets waiting for a handshake beyond the per-peer queue bound, or dropped when it failed. */
    STAGED_OVERFLOW,
    /** Packet from the device or a peer while this gateway is the standby of an HA pair. */
    STANDBY,
    /** Packet from the device or a peer before the overlay finished starting (its socket and device were live). */
    STARTING,
    /** Device or socket refused the write (would block or failed). */
    WRITE_FAILED,
    /** Bug: an unexpected exception in the data path; counted, logged once, traffic goes on. */
    INTERNAL_ERROR
}
