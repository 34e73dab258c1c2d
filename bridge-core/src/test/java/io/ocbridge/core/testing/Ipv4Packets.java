package io.ocbridge.core.testing;

import java.nio.ByteBuffer;

/**
 * IPv4 packets for tests and fuzz seeds: a 20-byte header (TTL 64, checksum valid), addresses as ints. The checksum is
 * computed here, not by the product's {@code Checksums}, so a test can catch that class getting it wrong.
 */
public final class Ipv4Packets {
    public static final int UDP = 17;

    private Ipv4Packets() {}

    /** Writes a 20-byte IPv4 header at {@code b}'s position, its checksum computed. */
    public static ByteBuffer header(ByteBuffer b, int totalLength, int protocol, int src, int dst, int id, int flagsOffset) {
        int at = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) totalLength).putShort((short) id).putShort((short) flagsOffset);
        b.put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(src).putInt(dst);
        return b.putShort(at + 10, headerChecksum(b, at));
    }

    /** RFC 1071 over the 20 header bytes at {@code at} (whose checksum field is zero). */
    private static short headerChecksum(ByteBuffer b, int at) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += b.getShort(at + i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum += sum >>> 16;
        return (short) ~sum;
    }

    /** A header as {@link #header}, then {@code payload}; {@code flagsOffset} is the raw flags and fragment-offset field. */
    public static byte[] packet(int protocol, int src, int dst, int id, int flagsOffset, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        header(b, b.capacity(), protocol, src, dst, id, flagsOffset);
        return b.put(payload).array();
    }

    /** An unfragmented UDP packet (5000 -> 4789, checksum 0) of {@code payloadBytes} patterned by {@code id}. */
    public static byte[] udp(int src, int dst, int payloadBytes, int id) {
        ByteBuffer b = ByteBuffer.allocate(28 + payloadBytes);
        header(b, 28 + payloadBytes, UDP, src, dst, id, 0);
        b.putShort((short) 5000).putShort((short) 4789).putShort((short) (8 + payloadBytes)).putShort((short) 0);
        for (int i = 0; i < payloadBytes; i++) {
            b.put((byte) (i * 13 + id));
        }
        return b.array();
    }
}
