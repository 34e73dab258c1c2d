package io.ocbridge.core.overlay;

import io.ocbridge.core.testing.Ipv4Packets;

/** Builds minimal IP packets for tests. */
final class Packets {
    private Packets() {}

    /** An IPv4 UDP-less packet (protocol 253, experimental; DF set) from src to dst with {@code payload} bytes. */
    static byte[] ipv4(int src, int dst, int payloadBytes, int seed) {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payloadBytes; i++) {
            payload[i] = (byte) (seed + i * 31);
        }
        return Ipv4Packets.packet(253, src, dst, 0, 0x4000, payload);
    }

    static int v4(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }
}
