package io.ocbridge.core.offload;

import io.netty.buffer.ByteBuf;

/** Where the IP header starts in an Ethernet frame read from or written to a TAP device. */
final class LinkHeader {
    private static final int ETHERNET_HEADER_BYTES = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;
    private static final int VLAN_TAG_BYTES = 4;
    /** The longest header we look through: two VLAN tags (802.1ad outer, 802.1Q inner). */
    static final int MAX_BYTES = ETHERNET_HEADER_BYTES + 2 * VLAN_TAG_BYTES;

    private LinkHeader() {}

    /**
     * Bytes before the IP header of the {@code length}-byte frame at {@code at}: 14, plus 4 per VLAN tag (two at
     * most); -1 if it does not carry IP, or nothing follows the header.
     */
    static int ipOffset(ByteBuf buf, int at, int length) {
        int bytes = ETHERNET_HEADER_BYTES;
        while (bytes <= MAX_BYTES && bytes < length) {
            int type = buf.getUnsignedShort(at + bytes - 2);
            if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6) {
                return bytes;
            }
            if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ) {
                return -1;
            }
            bytes += VLAN_TAG_BYTES;
        }
        return -1;
    }
}
