package io.ocbridge.core.packet;

/**
 * IPv6 header (RFC 8200): offsets from the header's first byte, and the extension headers' numbers and layout. The
 * walk over the extension-header chain is {@code ip.Ipv6}.
 */
public final class Ipv6Header {
    public static final int VERSION = 6;
    public static final int HEADER_BYTES = 40;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SRC_OFFSET = 8;
    public static final int DST_OFFSET = 24;
    public static final int ADDRESS_BYTES = 16;
    /** Largest payload length without a jumbogram option: the field is 16 bits. */
    public static final int MAX_PAYLOAD_LENGTH = 0xffff;

    // Extension headers, by their next-header number.
    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int DESTINATION_OPTIONS = 60;
    /** Hop-by-hop, routing, destination options: next header, then the length in 8-byte units beyond the first 8. */
    public static final int EXTENSION_LENGTH_OFFSET = 1;
    public static final int EXTENSION_UNIT_BYTES = 8;
    /** The fragment header: next header, reserved, 13-bit offset in 8-byte units and flags, identification. */
    public static final int FRAGMENT_HEADER_BYTES = 8;
    public static final int FRAGMENT_FIELD_OFFSET = 2;
    public static final int FRAGMENT_OFFSET_MASK = 0xfff8;

    private Ipv6Header() {}
}
