package io.ocbridge.core.packet;

/** UDP header (RFC 768): offsets from the header's first byte. */
public final class UdpHeader {
    public static final int HEADER_BYTES = 8;
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    /** Header and data. */
    public static final int LENGTH_OFFSET = 4;
    /** Zero means "no checksum" (IPv4 only), so a computed zero is sent as 0xffff. */
    public static final int CHECKSUM_OFFSET = 6;

    private UdpHeader() {}
}
