package io.ocbridge.core.offload;

import java.util.Arrays;

/**
 * Builds IPv4/IPv6 TCP packets byte by byte, with checksums from a deliberately naive reference sum, and TSO
 * super-packets as the kernel hands them to a TUN reader (virtio_net_hdr with NEEDS_CSUM, the non-complemented
 * pseudo-header sum in the TCP checksum field). Independent of the code under test.
 */
public final class Packets {
    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;
    public static final int TCP_CWR = 0x80;

    /** Everything that varies in a test packet; a mutable builder, copied per packet. */
    public static final class Spec implements Cloneable {
        public boolean ipv6;
        public int srcPort = 40_000;
        public int dstPort = 5201;
        public long seq = 1_000_000L;
        public long ack = 77_777L;
        public int window = 502;
        public int flags = TCP_ACK;
        public byte[] tcpOptions = timestamps(123_456, 654_321);
        public byte[] ipv4Options = new byte[0];
        /** IPv6 extension header bytes placed before TCP (next header values chained by the builder). */
        public byte[] ipv6HopByHop = null;
        public int ipv6ExtensionType = 0;
        public int id = 0x1234;
        public int ttl = 64;
        public int tos = 0;
        public boolean dontFragment = true;
        public byte[] src = {10, 77, 0, 1};
        public byte[] dst = {10, 77, 0, 2};
        public byte[] src6 = bytes(0xfd, 0x00, 0x0c, 0xb0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        public byte[] dst6 = bytes(0xfd, 0x00, 0x0c, 0xb0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
        public byte[] payload = new byte[0];

        public Spec copy() {
            try {
                return (Spec) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        public int ipHeaderBytes() {
            return ipv6 ? 40 + (ipv6HopByHop == null ? 0 : ipv6HopByHop.length) : 20 + ipv4Options.length;
        }

        public int tcpHeaderBytes() {
            return 20 + tcpOptions.length;
        }
    }

    private Packets() {}

    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** NOP, NOP, timestamps (kind 8): 12 bytes, as Linux sends on an established connection. */
    public static byte[] timestamps(int tsval, int tsecr) {
        return bytes(1, 1, 8, 10, tsval >>> 24, tsval >>> 16, tsval >>> 8, tsval, tsecr >>> 24, tsecr >>> 16, tsecr >>> 8, tsecr);
    }

    /** A TCP segment spec with {@code flags} and a payload of {@code payloadBytes} from {@link #pattern}. */
    public static Spec spec(boolean ipv6, int payloadBytes, int flags, int salt) {
        Spec s = new Spec();
        s.ipv6 = ipv6;
        s.flags = flags;
        s.payload = pattern(payloadBytes, salt);
        return s;
    }

    public static byte[] pattern(int length, int salt) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + salt + (i >>> 8));
        }
        return b;
    }

    /** A complete packet with correct IP header and TCP checksums. */
    public static byte[] tcp(Spec s) {
        int ip = s.ipHeaderBytes();
        int tcpLen = s.tcpHeaderBytes() + s.payload.length;
        byte[] p = new byte[ip + tcpLen];
        if (s.ipv6) {
            p[0] = (byte) (0x60 | (s.tos >>> 4));
            p[1] = (byte) (s.tos << 4);
            put16(p, 4, ip - 40 + tcpLen);
            p[6] = (byte) (s.ipv6HopByHop == null ? 6 : s.ipv6ExtensionType);
            p[7] = (byte) s.ttl;
            System.arraycopy(s.src6, 0, p, 8, 16);
            System.arraycopy(s.dst6, 0, p, 24, 16);
            if (s.ipv6HopByHop != null) {
                System.arraycopy(s.ipv6HopByHop, 0, p, 40, s.ipv6HopByHop.length);
                p[40] = 6;
                p[41] = (byte) (s.ipv6HopByHop.length / 8 - 1);
            }
        } else {
            p[0] = (byte) (0x40 | (ip / 4));
            p[1] = (byte) s.tos;
            put16(p, 2, p.length);
            put16(p, 4, s.id);
            put16(p, 6, s.dontFragment ? 0x4000 : 0);
            p[8] = (byte) s.ttl;
            p[9] = 6;
            System.arraycopy(s.src, 0, p, 12, 4);
            System.arraycopy(s.dst, 0, p, 16, 4);
            System.arraycopy(s.ipv4Options, 0, p, 20, s.ipv4Options.length);
            put16(p, 10, ~referenceSum(p, 0, ip, 0) & 0xffff);
        }
        put16(p, ip, s.srcPort);
        put16(p, ip + 2, s.dstPort);
        put32(p, ip + 4, s.seq);
        put32(p, ip + 8, s.ack);
        p[ip + 12] = (byte) ((s.tcpHeaderBytes() / 4) << 4);
        p[ip + 13] = (byte) s.flags;
        put16(p, ip + 14, s.window);
        System.arraycopy(s.tcpOptions, 0, p, ip + 20, s.tcpOptions.length);
        System.arraycopy(s.payload, 0, p, ip + s.tcpHeaderBytes(), s.payload.length);
        put16(p, ip + 16, ~referenceSum(p, ip, tcpLen, pseudoSum(p, s.ipv6, tcpLen)) & 0xffff);
        return p;
    }

    /**
     * What a TUN read returns for a TSO send of {@code s} (whole payload) at MSS {@code mss}: virtio_net_hdr
     * (NEEDS_CSUM, TCPV4/TCPV6, hdr_len, gso_size, csum_start, csum_offset 16) and the super-packet whose TCP
     * checksum field holds the folded, non-complemented pseudo-header sum over the whole TCP length.
     */
    public static byte[] tsoRead(Spec s, int mss) {
        byte[] packet = tcp(s);
        int ip = s.ipHeaderBytes();
        put16(packet, ip + 16, pseudoSum(packet, s.ipv6, packet.length - ip));
        byte[] read = new byte[10 + packet.length];
        read[0] = 1;
        read[1] = (byte) (s.ipv6 ? 4 : 1);
        putLe16(read, 2, ip + s.tcpHeaderBytes());
        putLe16(read, 4, mss);
        putLe16(read, 6, ip);
        putLe16(read, 8, 16);
        System.arraycopy(packet, 0, read, 10, packet.length);
        return read;
    }

    /** Folded ones'-complement sum, one byte at a time (even index high byte): the test's independent oracle. */
    public static int referenceSum(byte[] b, int offset, int length, int initial) {
        long sum = initial;
        for (int i = 0; i < length; i++) {
            int v = b[offset + i] & 0xff;
            sum += (i % 2 == 0) ? v << 8 : v;
        }
        while (sum > 0xffff) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** Pseudo-header sum for the IPv4/IPv6 header at 0 of {@code p} (no routing header), TCP. */
    public static int pseudoSum(byte[] p, boolean ipv6, int tcpLength) {
        int s = ipv6 ? referenceSum(p, 8, 32, 0) : referenceSum(p, 12, 8, 0);
        return referenceSum(new byte[0], 0, 0, s + 6 + tcpLength);
    }

    /** Whether the IP header (IPv4) and TCP checksums of the packet at 0 of {@code p} verify. */
    public static boolean checksumsValid(byte[] p) {
        boolean ipv6 = (p[0] & 0xf0) == 0x60;
        int ip;
        if (ipv6) {
            ip = 40;
            if ((p[6] & 0xff) != 6) {
                ip += ((p[41] & 0xff) + 1) * 8;
            }
        } else {
            ip = (p[0] & 0x0f) * 4;
            if (referenceSum(p, 0, ip, 0) != 0xffff) {
                return false;
            }
        }
        return referenceSum(p, ip, p.length - ip, pseudoSum(p, ipv6, p.length - ip)) == 0xffff;
    }

    public static int get16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static long get32(byte[] b, int at) {
        return ((long) get16(b, at) << 16) | get16(b, at + 2);
    }

    public static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    public static void put32(byte[] b, int at, long v) {
        put16(b, at, (int) (v >>> 16));
        put16(b, at + 2, (int) v);
    }

    public static int get16le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    public static void putLe16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    public static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }
}
