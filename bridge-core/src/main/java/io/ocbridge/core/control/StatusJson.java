package io.ocbridge.core.control;

import io.ocbridge.core.l2.SegmentCounters;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.OverlayStatus.CertificateExpiry;
import io.ocbridge.core.overlay.OverlayStatus.Offloads;
import io.ocbridge.core.overlay.OverlayStatus.PeerStatus;
import io.ocbridge.core.overlay.OverlayStatus.Pki;
import io.ocbridge.core.overlay.OverlayStatus.RefusedPeer;
import io.ocbridge.core.overlay.OverlayStatus.Routing;
import io.ocbridge.core.overlay.OverlayStatus.SegmentStatus;
import io.ocbridge.core.overlay.OverlayStatus.Session;
import io.ocbridge.core.route.ForcedTunnel;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The status document, schema 1 (documented in README, "Operating"): this class is its schema, written and read with
 * jackson-core's streaming API. Field names are stable: new fields may be added within a schema version, none renamed
 * or removed. Enum values are written lower-case.
 */
public final class StatusJson {
    public static final int SCHEMA = 1;
    private static final int MAX_DEPTH = 64;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private StatusJson() {
    }

    public static String write(SiteStatus status) {
        StringWriter out = new StringWriter(4096);
        try (JsonGenerator w = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            w.writeStartObject();
            w.writeNumberProperty("schema", SCHEMA);
            w.writeStringProperty("site", status.site());
            w.writeNumberProperty("time", status.epochSeconds());
            w.writeStringProperty("role", status.role());
            w.writeStringProperty("follow_address", status.followAddress());
            w.writeArrayPropertyStart("overlays");
            for (OverlayStatus overlay : status.overlays()) {
                writeOverlay(w, overlay);
            }
            w.writeEndArray();
            w.writeEndObject();
        }
        return out.toString();
    }

    private static void writeOverlay(JsonGenerator w, OverlayStatus overlay) {
        w.writeStartObject();
        w.writeStringProperty("name", overlay.name());
        w.writeStringProperty("device", overlay.device());
        w.writeNumberProperty("listen_port", overlay.listenPort());
        w.writeStringProperty("public_key", overlay.publicKey());
        if (overlay.offloads() != null) {
            w.writeObjectPropertyStart("offloads");
            w.writeBooleanProperty("device", overlay.offloads().device());
            w.writeBooleanProperty("udp_gso", overlay.offloads().udpGso());
            w.writeBooleanProperty("udp_gro", overlay.offloads().udpGro());
            w.writeEndObject();
        }
        if (overlay.routing() != null) {
            w.writeNumberProperty("fwmark", overlay.routing().fwmark());
            ForcedTunnel forced = overlay.routing().forcedTunnel();
            if (forced == null) {
                w.writeNullProperty("forced_tunnel");
            } else {
                w.writeObjectPropertyStart("forced_tunnel");
                w.writeNumberProperty("table", forced.table());
                w.writeNumberProperty("fwmark", forced.fwmark());
                w.writeNumberProperty("rule_priority", forced.rulePriority());
                w.writeArrayPropertyStart("families");
                if (forced.ipv4()) {
                    w.writeString("ipv4");
                }
                if (forced.ipv6()) {
                    w.writeString("ipv6");
                }
                w.writeEndArray();
                w.writeEndObject();
            }
        }
        w.writeArrayPropertyStart("peers");
        for (PeerStatus peer : overlay.peers()) {
            w.writeStartObject();
            w.writeStringProperty("name", peer.name());
            w.writeStringProperty("public_key", peer.publicKey());
            w.writeStringProperty("endpoint", peer.endpoint());
            w.writeArrayPropertyStart("allowed_ips");
            for (String prefix : peer.allowedIps()) {
                w.writeString(prefix);
            }
            w.writeEndArray();
            w.writeNumberProperty("latest_handshake", peer.latestHandshakeEpochSeconds());
            w.writeNumberProperty("rx_bytes", peer.rxBytes());
            w.writeNumberProperty("tx_bytes", peer.txBytes());
            w.writeStringProperty("session", lower(peer.session()));
            w.writeNumberProperty("persistent_keepalive", peer.persistentKeepaliveSeconds());
            w.writeNumberProperty("rx_packets", peer.rxPackets());
            w.writeNumberProperty("tx_packets", peer.txPackets());
            w.writeEndObject();
        }
        w.writeEndArray();
        writeCounters(w, "drops", DropReason.values(), overlay.drops());
        writeCounters(w, "handshakes", Event.values(), overlay.handshakes());
        w.writeArrayPropertyStart("segments");
        for (SegmentStatus segment : overlay.segments()) {
            w.writeStartObject();
            w.writeStringProperty("name", segment.name());
            w.writeNumberProperty("vni", segment.vni());
            w.writeStringProperty("device", segment.device());
            w.writeNumberProperty("mac_table_size", segment.macTableSize());
            w.writeArrayPropertyStart("members");
            for (String member : segment.members()) {
                w.writeString(member);
            }
            w.writeEndArray();
            writeCounters(w, "counters", SegmentCounters.Event.values(), segment.counters());
            w.writeEndObject();
        }
        w.writeEndArray();
        w.writeArrayPropertyStart("refused_peers");
        for (RefusedPeer refused : overlay.refusedPeers()) {
            w.writeStartObject();
            w.writeStringProperty("name", refused.name());
            w.writeStringProperty("reason", refused.reason());
            w.writeNumberProperty("since", refused.sinceEpochSeconds());
            w.writeEndObject();
        }
        w.writeEndArray();
        writePki(w, overlay.pki());
        w.writeEndObject();
    }

    private static void writePki(JsonGenerator w, Pki pki) {
        if (pki == null) {
            w.writeNullProperty("pki");
            return;
        }
        w.writeObjectPropertyStart("pki");
        w.writeNumberProperty("ca_not_after", pki.caNotAfterEpochSeconds());
        if (pki.crlState() == null) {
            w.writeNullProperty("crl_next_update");
        } else {
            w.writeNumberProperty("crl_next_update", pki.crlNextUpdateEpochSeconds());
        }
        w.writeStringProperty("crl_state", pki.crlState());
        w.writeName("own_certificate");
        writeExpiry(w, pki.own());
        w.writeArrayPropertyStart("certificates");
        for (CertificateExpiry certificate : pki.certificates()) {
            writeExpiry(w, certificate);
        }
        w.writeEndArray();
        w.writeEndObject();
    }

    private static void writeExpiry(JsonGenerator w, CertificateExpiry expiry) {
        if (expiry == null) {
            w.writeNull();
            return;
        }
        w.writeStartObject();
        w.writeStringProperty("name", expiry.name());
        w.writeNumberProperty("not_after", expiry.notAfterEpochSeconds());
        w.writeStringProperty("state", expiry.state());
        w.writeEndObject();
    }

    /** One member per enum value, lower-case, zero where {@code counts} has none. */
    private static <E extends Enum<E>> void writeCounters(JsonGenerator w, String name, E[] values, Map<E, Long> counts) {
        w.writeObjectPropertyStart(name);
        for (E value : values) {
            w.writeNumberProperty(lower(value), counts.getOrDefault(value, 0L));
        }
        w.writeEndObject();
    }

    /**
     * Reads a status document; unknown members and unknown counter names are ignored (a newer daemon may add some). A
     * document that is not JSON, or not this schema's shape, is an IllegalArgumentException saying where.
     */
    public static SiteStatus read(String json) {
        Map<String, Object> root;
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), json)) {
            root = object(tree(parser, parser.nextToken(), 0), "document");
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("unexpected text after the document");
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException(e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset()));
        }
        long schema = number(root, "schema");
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("status schema " + schema + " is not supported (this ocbridge reads "
                    + SCHEMA + ")");
        }
        List<OverlayStatus> overlays = new ArrayList<>();
        for (Object item : list(root, "overlays")) {
            Map<String, Object> o = object(item, "overlay");
            List<PeerStatus> peers = new ArrayList<>();
            for (Object peerItem : list(o, "peers")) {
                Map<String, Object> p = object(peerItem, "peer");
                List<String> allowed = list(p, "allowed_ips").stream().map(String::valueOf).toList();
                peers.add(new PeerStatus(string(p, "name"), string(p, "public_key"), (String) p.get("endpoint"),
                        allowed, number(p, "latest_handshake"), number(p, "rx_bytes"), number(p, "tx_bytes"),
                        Session.valueOf(string(p, "session").toUpperCase(Locale.ROOT)),
                        (int) number(p, "persistent_keepalive"), number(p, "rx_packets"), number(p, "tx_packets")));
            }
            List<SegmentStatus> segments = new ArrayList<>();
            for (Object segmentItem : list(o, "segments")) {
                Map<String, Object> s = object(segmentItem, "segment");
                segments.add(new SegmentStatus(string(s, "name"), (int) number(s, "vni"), string(s, "device"),
                        (int) number(s, "mac_table_size"), counters(s, "counters", SegmentCounters.Event.class),
                        list(s, "members").stream().map(String::valueOf).toList()));
            }
            Offloads offloads = null;
            if (o.containsKey("offloads")) {  // absent when the daemon could not tell
                Map<String, Object> f = object(o.get("offloads"), "offloads");
                offloads = new Offloads(Boolean.TRUE.equals(f.get("device")), Boolean.TRUE.equals(f.get("udp_gso")),
                        Boolean.TRUE.equals(f.get("udp_gro")));
            }
            List<RefusedPeer> refused = new ArrayList<>();
            if (o.containsKey("refused_peers")) {  // absent from an older daemon's document
                for (Object refusedItem : list(o, "refused_peers")) {
                    Map<String, Object> r = object(refusedItem, "refused peer");
                    refused.add(new RefusedPeer(string(r, "name"), string(r, "reason"), number(r, "since")));
                }
            }
            Routing routing = null;
            if (o.containsKey("fwmark")) {  // absent from a daemon older than forced tunnelling
                ForcedTunnel forced = null;
                if (o.get("forced_tunnel") != null) {
                    Map<String, Object> t = object(o.get("forced_tunnel"), "forced_tunnel");
                    List<Object> families = list(t, "families");
                    forced = new ForcedTunnel(number(t, "table"), number(t, "fwmark"), (int) number(t, "rule_priority"),
                            families.contains("ipv4"), families.contains("ipv6"));
                }
                routing = new Routing(number(o, "fwmark"), forced);
            }
            overlays.add(new OverlayStatus(string(o, "name"), string(o, "device"), (int) number(o, "listen_port"),
                    string(o, "public_key"), peers, counters(o, "drops", DropReason.class),
                    counters(o, "handshakes", Event.class), segments, offloads, refused,
                    o.get("pki") == null ? null : readPki(object(o.get("pki"), "pki")), routing));
        }
        return new SiteStatus(string(root, "site"), number(root, "time"), overlays, string(root, "role"),
                (String) root.get("follow_address"));
    }

    private static Pki readPki(Map<String, Object> p) {
        List<CertificateExpiry> certificates = new ArrayList<>();
        for (Object item : list(p, "certificates")) {
            certificates.add(readExpiry(object(item, "certificate")));
        }
        String crlState = (String) p.get("crl_state");
        return new Pki(number(p, "ca_not_after"), crlState == null ? 0 : number(p, "crl_next_update"), crlState,
                p.get("own_certificate") == null ? null : readExpiry(object(p.get("own_certificate"), "own_certificate")),
                certificates);
    }

    private static CertificateExpiry readExpiry(Map<String, Object> c) {
        return new CertificateExpiry(string(c, "name"), number(c, "not_after"), string(c, "state"));
    }

    /**
     * The value starting at {@code token} as plain Java: an insertion-ordered {@code Map<String, Object>}, a {@code
     * List<Object>}, {@code String}, {@code Long} (integers), {@code Double}, {@code Boolean} or null. Nesting is
     * bounded by {@link #MAX_DEPTH}.
     */
    private static Object tree(JsonParser parser, JsonToken token, int depth) {
        if (token == null) {
            throw new IllegalArgumentException("unexpected end of input");
        }
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
        }
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    map.put(name, tree(parser, parser.nextToken(), depth + 1));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> items = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    items.add(tree(parser, t, depth + 1));
                }
                yield items;
            }
            case VALUE_STRING -> parser.getString();
            case VALUE_NUMBER_INT -> parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected " + token);
        };
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> Map<E, Long> counters(Map<String, Object> parent, String key, Class<E> type) {
        Map<E, Long> result = new EnumMap<>(type);
        for (Map.Entry<String, Object> entry : object(parent.get(key), key).entrySet()) {
            for (E constant : type.getEnumConstants()) {
                if (lower(constant).equals(entry.getKey()) && entry.getValue() instanceof Long count) {
                    result.put(constant, count);
                }
            }
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + ": expected an object");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> parent, String key) {
        if (parent.get(key) instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw new IllegalArgumentException(key + ": expected an array");
    }

    private static String string(Map<String, Object> parent, String key) {
        if (parent.get(key) instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(key + ": expected a string");
    }

    private static long number(Map<String, Object> parent, String key) {
        if (parent.get(key) instanceof Long n) {
            return n;
        }
        throw new IllegalArgumentException(key + ": expected an integer");
    }
}
