package io.ocbridge.core.offload;

/**
 * Why {@link TsoSplitter#split} refused what the device returned. {@code split} returns {@link #code()}, a
 * negative int, so the success path stays an int count; {@link #of(int)} maps it back for a counter per value.
 */
public enum SplitDrop {
    /** Fewer than {@link VirtioNetHeader#SIZE} bytes, or a header and no packet. */
    TRUNCATED,
    /** gso_type we do not segment (UDP, UDP_L4, unknown values, ECN without TCP). */
    UNSUPPORTED_GSO_TYPE,
    /** NEEDS_CSUM with csum_start/csum_offset outside the packet. */
    BAD_CSUM_RANGE,
    /** IP header that does not match the gso_type, is cut short, is a fragment or does not carry TCP at csum_start. */
    BAD_IP_HEADER,
    /** TCP header shorter than 20 bytes or extending past the packet. */
    BAD_TCP_HEADER,
    /** gso_size of zero, no payload to segment, or segments too long for the IP length field. */
    BAD_GSO_SIZE;

    private static final SplitDrop[] VALUES = values();

    /** The negative value {@code split} returns for this reason: -1, -2, ... */
    public int code() {
        return -1 - ordinal();
    }

    /** The reason for a negative {@code split} result. */
    public static SplitDrop of(int code) {
        if (code >= 0 || -1 - code >= VALUES.length) {
            throw new IllegalArgumentException("not a SplitDrop code: " + code);
        }
        return VALUES[-1 - code];
    }
}
