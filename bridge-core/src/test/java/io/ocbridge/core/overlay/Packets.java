package io.ocbridge.core.overlay;

import java.nio.ByteBuffer;

/** Builds minimal IP packets for tests. */
final class Packets {
    private Packets() {}

    /** An IPv4 UDP-less packet (protocol 253, experimental) from src to dst with {@code payload} bytes. */
    static byte[] ipv4(int src, int dst, int payloadBytes, int seed) {
        int total = 20 + payloadBytes;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total);
        b.putShort((short) 0).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) 253).putShort((short) 0);
        b.putInt(src).putInt(dst);
        for (int i = 0; i < payloadBytes; i++) {
            b.put((byte) (seed + i * 31));
        }
        return b.array();
    }

    static int v4(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }
}
