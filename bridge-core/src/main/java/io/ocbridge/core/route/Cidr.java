package io.ocbridge.core.route;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address with a prefix length, such as {@code 10.77.0.1/24} or {@code fd00::/64}.
 * The address bits are kept left-aligned in a 128-bit ({@code high}, {@code low}) pair: an IPv4
 * address occupies the top 32 bits of {@code high}. Host bits are kept as written; see {@link #masked()}.
 */
public record Cidr(Family family, long high, long low, int prefixLength) {

    /** Address family, with its address width in bits. */
    public enum Family {
        IPV4(32), IPV6(128);

        private final int bits;

        Family(int bits) {
            this.bits = bits;
        }

        public int bits() {
            return bits;
        }
    }

    public Cidr {
        if (family == null) {
            throw new IllegalArgumentException("family must not be null");
        }
        if (prefixLength < 0 || prefixLength > family.bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + family.bits);
        }
        if (family == Family.IPV4 && (low != 0 || (high & 0xFFFF_FFFFL) != 0)) {
            throw new IllegalArgumentException("IPv4 address must occupy only the top 32 bits of high");
        }
    }

    /** Parses {@code a.b.c.d/n} or {@code ipv6/n}; the message of the exception quotes the input. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("null: not a CIDR");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException(quote(text) + ": missing /prefix-length");
        }
        String addressText = text.substring(0, slash);
        String lengthText = text.substring(slash + 1);
        long[] bits = new long[2];
        Family family;
        try {
            family = Addresses.parse(addressText, bits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(quote(text) + ": " + e.getMessage());
        }
        int length = parseLength(lengthText);
        if (length < 0 || length > family.bits) {
            throw new IllegalArgumentException(quote(text) + ": prefix length must be 0.." + family.bits);
        }
        return new Cidr(family, bits[0], bits[1], length);
    }

    /** Parses a bare address as a host prefix: {@code /32} for IPv4, {@code /128} for IPv6. */
    public static Cidr host(String address) {
        long[] bits = new long[2];
        Family family;
        try {
            family = Addresses.parse(address, bits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(quote(address) + ": " + e.getMessage());
        }
        return new Cidr(family, bits[0], bits[1], family.bits);
    }

    /** Builds a prefix from 4 (IPv4) or 16 (IPv6) network-order address bytes. */
    public static Cidr of(byte[] address, int prefixLength) {
        Family family = switch (address.length) {
            case 4 -> Family.IPV4;
            case 16 -> Family.IPV6;
            default -> throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + address.length);
        };
        long high = 0;
        long low = 0;
        for (int i = 0; i < address.length; i++) {
            long b = address[i] & 0xFFL;
            if (i < 8) {
                high |= b << (56 - 8 * i);
            } else {
                low |= b << (56 - 8 * (i - 8));
            }
        }
        return new Cidr(family, high, low, prefixLength);
    }

    /** An IPv4 prefix from an address in network order as read by {@code ByteBuffer.getInt}. */
    public static Cidr ofV4(int address, int prefixLength) {
        return new Cidr(Family.IPV4, (address & 0xFFFF_FFFFL) << 32, 0, prefixLength);
    }

    public boolean isIpv6() {
        return family == Family.IPV6;
    }

    /** This prefix with the host bits cleared, e.g. {@code 10.77.0.1/24} becomes {@code 10.77.0.0/24}. */
    public Cidr masked() {
        long maskedHigh = high & maskHigh(prefixLength);
        long maskedLow = low & maskLow(prefixLength);
        return maskedHigh == high && maskedLow == low ? this : new Cidr(family, maskedHigh, maskedLow, prefixLength);
    }

    /** True if both prefixes share at least one address (one contains the other). */
    public boolean overlaps(Cidr other) {
        if (family != other.family) {
            return false;
        }
        int shorter = Math.min(prefixLength, other.prefixLength);
        return ((high ^ other.high) & maskHigh(shorter)) == 0 && ((low ^ other.low) & maskLow(shorter)) == 0;
    }

    /** The address in network byte order: 4 or 16 bytes. */
    public byte[] addressBytes() {
        byte[] out = new byte[family.bits / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((i < 8 ? high >>> (56 - 8 * i) : low >>> (56 - 8 * (i - 8))));
        }
        return out;
    }

    /** The address as an {@link InetAddress}; never does a name lookup. */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(addressBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }

    /** The address without the prefix length, canonical (RFC 5952 for IPv6). */
    public String addressString() {
        return Addresses.format(family, high, low);
    }

    /** Canonical text: {@code 10.77.0.1/24}, {@code fd00::1/64}. */
    @Override
    public String toString() {
        return addressString() + "/" + prefixLength;
    }

    /** Mask for the top 64 bits of a prefix of {@code length} bits. */
    static long maskHigh(int length) {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    /** Mask for the bottom 64 bits of a prefix of {@code length} bits. */
    static long maskLow(int length) {
        return length <= 64 ? 0 : -1L << (128 - length);
    }

    private static int parseLength(String text) {
        if (text.isEmpty() || text.length() > 3) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }
}
