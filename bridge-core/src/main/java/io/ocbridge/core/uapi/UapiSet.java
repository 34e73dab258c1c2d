package io.ocbridge.core.uapi;

import io.ocbridge.core.route.Cidr;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Parses the body of a {@code set=1} request (the lines before the blank line) into a {@link SetRequest}, checking
 * every line before anything is applied. Device keys come first; {@code public_key} opens a peer section. Endpoints
 * must be numeric ({@code wg} resolves names itself), so parsing never touches DNS.
 */
public final class UapiSet {
    private static final int KEY_HEX_CHARS = 64;
    /** Longer than any UAPI field name, shorter than any key's text (44 in base64, 64 in hex). */
    private static final int MAX_FIELD_NAME_CHARS = 32;

    private UapiSet() {}

    public static SetRequest parse(List<String> lines) throws UapiException {
        byte[] privateKey = null;
        Integer listenPort = null;
        Integer fwmark = null;
        boolean replacePeers = false;
        List<SetRequest.PeerChange> peers = new ArrayList<>();
        PeerBuilder peer = null;
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                // Not echoed: a malformed key line ("private_key:<hex>") would put the key in the log.
                throw new UapiException(UapiException.EPROTO, "not a key=value line (" + line.length() + " characters)");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("public_key")) {
                if (peer != null) {
                    peers.add(peer.build());
                }
                peer = new PeerBuilder(hexKey(key, value));
                continue;
            }
            if (peer == null) {
                switch (key) {
                    case "private_key" -> privateKey = hexKey(key, value);
                    case "listen_port" -> listenPort = number(key, value, 0xffff);
                    case "fwmark" -> fwmark = (int) (long) numberLong(key, value, 0xffff_ffffL);
                    case "replace_peers" -> replacePeers = isTrue(key, value);
                    default -> throw invalid("unknown device key " + fieldName(key));
                }
                continue;
            }
            switch (key) {
                case "remove" -> peer.remove = isTrue(key, value);
                case "update_only" -> peer.updateOnly = isTrue(key, value);
                case "preshared_key" -> peer.presharedKey = hexKey(key, value);
                case "endpoint" -> peer.endpoint = endpoint(value);
                case "persistent_keepalive_interval" -> peer.keepalive = number(key, value, 0xffff);
                case "replace_allowed_ips" -> {
                    peer.replaceAllowedIps = isTrue(key, value);
                    peer.add.clear();
                    peer.removeIps.clear();
                }
                case "allowed_ip" -> {
                    if (value.startsWith("-")) {
                        peer.removeIps.add(prefix(value.substring(1)));
                    } else {
                        peer.add.add(prefix(value));
                    }
                }
                case "protocol_version" -> {
                    if (!value.equals("1")) {
                        throw invalid("unsupported protocol_version " + printable(value));
                    }
                }
                default -> throw invalid("unknown peer key " + fieldName(key));
            }
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new SetRequest(new SetRequest.DeviceChange(privateKey, listenPort, fwmark, replacePeers), peers);
    }

    private static final class PeerBuilder {
        final byte[] publicKey;
        boolean remove;
        boolean updateOnly;
        byte[] presharedKey;
        InetSocketAddress endpoint;
        Integer keepalive;
        boolean replaceAllowedIps;
        final List<Cidr> add = new ArrayList<>();
        final List<Cidr> removeIps = new ArrayList<>();

        PeerBuilder(byte[] publicKey) {
            this.publicKey = publicKey;
        }

        SetRequest.PeerChange build() {
            return new SetRequest.PeerChange(publicKey, remove, updateOnly, presharedKey, endpoint, keepalive,
                    replaceAllowedIps, add, removeIps);
        }
    }

    /** 32 bytes as 64 hex digits (either case); the value is never echoed, it may be a secret. */
    private static byte[] hexKey(String key, String value) throws UapiException {
        if (value.length() != KEY_HEX_CHARS) {
            throw invalid(key + ": expected " + KEY_HEX_CHARS + " hex digits");
        }
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw invalid(key + ": not hex");
        }
    }

    private static boolean isTrue(String key, String value) throws UapiException {
        if (!value.equals("true")) {
            throw invalid(key + ": only \"true\" is accepted, got " + printable(value));
        }
        return true;
    }

    private static int number(String key, String value, int max) throws UapiException {
        return (int) numberLong(key, value, max);
    }

    private static long numberLong(String key, String value, long max) throws UapiException {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(key + ": not a number: " + printable(value));
        }
        long n = Long.parseLong(value);
        if (n > max) {
            throw invalid(key + ": " + n + " is above " + max);
        }
        return n;
    }

    private static Cidr prefix(String value) throws UapiException {
        try {
            return Cidr.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid("allowed_ip " + printable(e.getMessage()));
        }
    }

    /** {@code a.b.c.d:port} or {@code [v6]:port}: a literal address, no scope ID, never a name lookup. */
    static InetSocketAddress endpoint(String value) throws UapiException {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw invalid("endpoint: expected host:port, got " + printable(value));
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw invalid("endpoint: an IPv6 address needs [brackets]: " + printable(value));
        }
        int port = number("endpoint port", value.substring(colon + 1), 0xffff);
        if (port == 0) {
            throw invalid("endpoint: port 0");
        }
        if (host.indexOf('%') >= 0) {
            // InetAddress.getByName would look "1.2.3.4%x" up in DNS; a scope names an interface, not a peer.
            throw invalid("endpoint: scope IDs are not accepted: " + printable(value));
        }
        try {
            return new InetSocketAddress(Cidr.host(host).address(), port); // parsed here, never resolved
        } catch (IllegalArgumentException e) {
            throw invalid("endpoint: not a numeric address: " + printable(value));
        }
    }

    private static UapiException invalid(String message) {
        return new UapiException(UapiException.EINVAL, message);
    }

    /**
     * The name part of a {@code key=value} line as it may appear in a log: a field name (at most
     * {@value #MAX_FIELD_NAME_CHARS} of {@code [a-z0-9_]}, no key is that short) or only its length. Never the value:
     * {@code private_key=<hex>} sent in the wrong place must not reach the log.
     */
    static String fieldName(String line) {
        int eq = line.indexOf('=');
        String name = eq < 0 ? line : line.substring(0, eq);
        boolean plain = !name.isEmpty() && name.length() <= MAX_FIELD_NAME_CHARS
                && name.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_');
        return plain ? name : "(" + name.length() + " characters, not shown)";
    }

    /** At most 64 characters, control characters as '?': safe for a log line. Never for a line that may hold a key. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> out.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return out.toString();
    }
}
