package io.ocbridge.core.control;

import io.ocbridge.core.l2.SegmentCounters;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.OverlayStatus.Offloads;
import io.ocbridge.core.overlay.OverlayStatus.PeerStatus;
import io.ocbridge.core.overlay.OverlayStatus.SegmentStatus;
import io.ocbridge.core.overlay.OverlayStatus.Session;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status document, schema 1 (documented in README, "Operating"). Field names are stable: new fields may be
 * added within a schema version, none renamed or removed. Enum values are written lower-case.
 */
public final class StatusJson {
    public static final int SCHEMA = 1;

    private StatusJson() {
    }

    public static String write(SiteStatus status) {
        JsonWriter w = new JsonWriter().beginObject()
                .name("schema").value(SCHEMA)
                .name("site").value(status.site())
                .name("time").value(status.epochSeconds())
                .name("role").value(status.role())
                .name("follow_address").value(status.followAddress())
                .name("overlays").beginArray();
        for (OverlayStatus overlay : status.overlays()) {
            w.beginObject()
                    .name("name").value(overlay.name())
                    .name("device").value(overlay.device())
                    .name("listen_port").value(overlay.listenPort())
                    .name("public_key").value(overlay.publicKey());
            if (overlay.offloads() != null) {
                w.name("offloads").beginObject()
                        .name("device").value(overlay.offloads().device())
                        .name("udp_gso").value(overlay.offloads().udpGso())
                        .name("udp_gro").value(overlay.offloads().udpGro())
                        .endObject();
            }
            w.name("peers").beginArray();
            for (PeerStatus peer : overlay.peers()) {
                w.beginObject()
                        .name("name").value(peer.name())
                        .name("public_key").value(peer.publicKey())
                        .name("endpoint").value(peer.endpoint())
                        .name("allowed_ips").beginArray();
                peer.allowedIps().forEach(w::value);
                w.endArray()
                        .name("latest_handshake").value(peer.latestHandshakeEpochSeconds())
                        .name("rx_bytes").value(peer.rxBytes())
                        .name("tx_bytes").value(peer.txBytes())
                        .name("session").value(lower(peer.session()))
                        .name("persistent_keepalive").value(peer.persistentKeepaliveSeconds())
                        .name("rx_packets").value(peer.rxPackets())
                        .name("tx_packets").value(peer.txPackets())
                        .endObject();
            }
            w.endArray().name("drops").beginObject();
            for (DropReason reason : DropReason.values()) {
                w.name(lower(reason)).value(overlay.drops().getOrDefault(reason, 0L));
            }
            w.endObject().name("handshakes").beginObject();
            for (Event event : Event.values()) {
                w.name(lower(event)).value(overlay.handshakes().getOrDefault(event, 0L));
            }
            w.endObject().name("segments").beginArray();
            for (SegmentStatus segment : overlay.segments()) {
                w.beginObject()
                        .name("name").value(segment.name())
                        .name("vni").value(segment.vni())
                        .name("device").value(segment.device())
                        .name("mac_table_size").value(segment.macTableSize())
                        .name("members").beginArray();
                segment.members().forEach(w::value);
                w.endArray().name("counters").beginObject();
                for (SegmentCounters.Event event : SegmentCounters.Event.values()) {
                    w.name(lower(event)).value(segment.counters().getOrDefault(event, 0L));
                }
                w.endObject().endObject();
            }
            w.endArray().endObject();
        }
        return w.endArray().endObject().toString();
    }

    /** Reads a status document; unknown members and unknown counter names are ignored (a newer daemon may add some). */
    public static SiteStatus read(String json) {
        Map<String, Object> root = object(JsonReader.parse(json), "document");
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
                        (int) number(p, "persistent_keepalive"),
                        p.containsKey("rx_packets") ? number(p, "rx_packets") : 0,  // absent before they were reported
                        p.containsKey("tx_packets") ? number(p, "tx_packets") : 0));
            }
            List<SegmentStatus> segments = new ArrayList<>();
            if (o.containsKey("segments")) {  // absent before segments were reported
                for (Object segmentItem : list(o, "segments")) {
                    Map<String, Object> s = object(segmentItem, "segment");
                    segments.add(new SegmentStatus(string(s, "name"), (int) number(s, "vni"), string(s, "device"),
                            (int) number(s, "mac_table_size"), counters(s, "counters", SegmentCounters.Event.class),
                            list(s, "members").stream().map(String::valueOf).toList()));
                }
            }
            Offloads offloads = null;
            if (o.containsKey("offloads")) {  // absent before offloads were reported
                Map<String, Object> f = object(o.get("offloads"), "offloads");
                offloads = new Offloads(Boolean.TRUE.equals(f.get("device")), Boolean.TRUE.equals(f.get("udp_gso")),
                        Boolean.TRUE.equals(f.get("udp_gro")));
            }
            overlays.add(new OverlayStatus(string(o, "name"), string(o, "device"), (int) number(o, "listen_port"),
                    string(o, "public_key"), peers, counters(o, "drops", DropReason.class),
                    counters(o, "handshakes", Event.class), segments, offloads));
        }
        return new SiteStatus(string(root, "site"), number(root, "time"), overlays, string(root, "role"),
                (String) root.get("follow_address"));
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
