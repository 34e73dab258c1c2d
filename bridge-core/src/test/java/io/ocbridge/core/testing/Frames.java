package io.ocbridge.core.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Ethernet frames for L2 tests and fuzz seeds, built byte by byte; MACs are 48-bit values in a long. IPv4 inside them
 * comes from {@link Ipv4Packets}.
 */
public final class Frames {
    private Frames() {}

    /** An Ethernet header with room for {@code payloadBytes} after it, positioned at the payload. */
    public static ByteBuffer ethernet(long dst, long src, int type, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(14 + payloadBytes);
        b.putShort((short) (dst >>> 32)).putInt((int) dst);
        b.putShort((short) (src >>> 32)).putInt((int) src);
        b.putShort((short) type);
        return b;
    }

    /** A minimum-size frame of a local experimental EtherType (0x88b5) with a zero payload. */
    public static byte[] frame(long dst, long src) {
        return ethernet(dst, src, 0x88b5, 46).array();
    }

    /** An ARP request ({@code oper} 1) or reply (2) over Ethernet, IPv4 addresses as ints. */
    public static byte[] arp(int oper, long dst, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ethernet(dst, sha, 0x0806, 28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) oper);
        b.putShort((short) (sha >>> 32)).putInt((int) sha).putInt(spa);
        b.putShort((short) (tha >>> 32)).putInt((int) tha).putInt(tpa);
        return b.array();
    }

    /** {@code frame} padded with zeros to Ethernet's 60-byte minimum (without FCS), as a NIC would send it. */
    public static byte[] padded(byte[] frame) {
        return frame.length >= 60 ? frame : Arrays.copyOf(frame, 60);
    }

    /** {@code frame} with one VLAN tag per TPID ({@code tpids}, outermost first, each with {@code vid}) after its MACs. */
    public static byte[] tagged(byte[] frame, int vid, int... tpids) {
        ByteBuffer b = ByteBuffer.allocate(frame.length + 4 * tpids.length);
        b.put(frame, 0, 12);
        for (int tpid : tpids) {
            b.putShort((short) tpid).putShort((short) vid);
        }
        return b.put(frame, 12, frame.length - 12).array();
    }
}
