package io.ocbridge.core.route;

/**
 * Strict text forms of IP addresses, without name lookups: dotted-quad IPv4 (no leading zeros)
 * and RFC 4291 IPv6 (with {@code ::} and an optional dotted-quad tail); formatting per RFC 5952.
 */
final class Addresses {

    private Addresses() {
    }

    /** Parses {@code text} into left-aligned {@code bits[0..1]}; returns its family. */
    static Cidr.Family parse(String text, long[] bits) {
        if (text.indexOf(':') >= 0) {
            parseV6(text, bits);
            return Cidr.Family.IPV6;
        }
        bits[0] = (parseV4(text) & 0xFFFF_FFFFL) << 32;
        bits[1] = 0;
        return Cidr.Family.IPV4;
    }

    static int parseV4(String text) {
        int value = 0;
        int parts = 0;
        int i = 0;
        int n = text.length();
        while (parts < 4) {
            int start = i;
            int part = 0;
            while (i < n && i - start < 4 && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) {
                part = part * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || part > 255 || (digits > 1 && text.charAt(start) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address");
            }
            value = (value << 8) | part;
            parts++;
            if (parts < 4) {
                if (i >= n || text.charAt(i) != '.') {
                    throw new IllegalArgumentException("not an IPv4 address");
                }
                i++;
            }
        }
        if (i != n) {
            throw new IllegalArgumentException("not an IPv4 address");
        }
        return value;
    }

    private static void parseV6(String text, long[] bits) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        int n = text.length();
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (text.startsWith(":")) {
            throw new IllegalArgumentException("not an IPv6 address");
        }
        while (i < n) {
            if (count == 8) {
                throw new IllegalArgumentException("not an IPv6 address: more than 8 groups");
            }
            int start = i;
            int group = 0;
            while (i < n && i - start < 5 && Character.digit(text.charAt(i), 16) >= 0 && text.charAt(i) < 128) {
                group = (group << 4) | Character.digit(text.charAt(i), 16);
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                if (count > 6) {
                    throw new IllegalArgumentException("not an IPv6 address");
                }
                int v4 = parseV4(text.substring(start));
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                i = n;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) {
                throw new IllegalArgumentException("not an IPv6 address");
            }
            groups[count++] = group;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != ':') {
                throw new IllegalArgumentException("not an IPv6 address");
            }
            i++;
            if (i < n && text.charAt(i) == ':') {
                if (gap >= 0) {
                    throw new IllegalArgumentException("not an IPv6 address: more than one ::");
                }
                gap = count;
                i++;
            } else if (i == n) {
                throw new IllegalArgumentException("not an IPv6 address");
            }
        }
        if (gap >= 0) {
            if (count == 8) {
                throw new IllegalArgumentException("not an IPv6 address: :: stands for no groups");
            }
            int tail = count - gap;
            System.arraycopy(groups, gap, groups, 8 - tail, tail);
            for (int g = gap; g < 8 - tail; g++) {
                groups[g] = 0;
            }
        } else if (count != 8) {
            throw new IllegalArgumentException("not an IPv6 address: expected 8 groups");
        }
        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = (high << 16) | groups[g];
            low = (low << 16) | groups[g + 4];
        }
        bits[0] = high;
        bits[1] = low;
    }

    static String format(Cidr.Family family, long high, long low) {
        if (family == Cidr.Family.IPV4) {
            int v = (int) (high >>> 32);
            return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
        }
        int[] groups = new int[8];
        for (int g = 0; g < 4; g++) {
            groups[g] = (int) (high >>> (48 - 16 * g)) & 0xFFFF;
            groups[g + 4] = (int) (low >>> (48 - 16 * g)) & 0xFFFF;
        }
        // RFC 5952: compress the longest run (first if tied) of two or more zero groups.
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out.append("::");
                g += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[g]));
        }
        return out.toString();
    }
}
