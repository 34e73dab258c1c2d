package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;

/**
 * Where a peer is reached: an IP literal or a host name (resolved later, not at load), and a
 * UDP port. Printed as {@code host:port}, or {@code [v6]:port} for IPv6.
 */
public record Endpoint(String host, int port) {

    private static final int MAX_HOST_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    public Endpoint {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535");
        }
    }

    /** Parses {@code 192.0.2.2:51820}, {@code [2001:db8::2]:51820} or {@code vpn.example.com:51820}. */
    public static Endpoint parse(String text) {
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPv6-address]:port");
            }
            Cidr address = Cidr.host(text.substring(1, close));
            if (!address.isIpv6()) {
                throw new IllegalArgumentException("brackets are for IPv6 addresses only");
            }
            host = address.addressString();
            portText = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("missing :port");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("write an IPv6 endpoint as [address]:port");
            }
            if (host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
                host = Cidr.host(host).addressString();
            } else if (!isHostName(host)) {
                throw new IllegalArgumentException("\"" + host + "\" is not a valid host name");
            }
        }
        return new Endpoint(host, parsePort(portText));
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port must be 1..65535");
        }
        return Integer.parseInt(text);
    }

    /** RFC 1123 names: dot-separated labels of letters, digits and inner hyphens. */
    private static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_NAME_LENGTH) {
            return false;
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH
                    || label.startsWith("-") || label.endsWith("-")
                    || !label.chars().allMatch(c -> c == '-' || (c < 128 && Character.isLetterOrDigit(c)))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
