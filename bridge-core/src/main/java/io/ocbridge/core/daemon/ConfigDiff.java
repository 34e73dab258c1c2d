package io.ocbridge.core.daemon;

import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.SegmentConfig;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.route.ForcedTunnel;
import io.ocbridge.core.route.Cidr;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload changes: the running site config against the one just loaded. A pure function of the two configs
 * (and of {@link PresharedKeys}, which says whether a preshared-key file's content changed under the same path).
 *
 * <p>Peers, segments and overlays are matched by name. What can be applied live becomes a {@link Change}; what cannot
 * (the site's name, key, socket and metrics; an overlay's device, port, addresses and MTU) is listed in
 * {@link #restartRequired()} and keeps its running value in {@link #applied()}, the config the daemon runs once the
 * changes are in.
 */
public record ConfigDiff(List<Change> changes, List<String> restartRequired, SiteConfig applied) {

    /** A peer field that a reload can change in place, without touching the peer's sessions. */
    public enum Field {
        ENDPOINT("endpoint"), ALLOWED_IPS("allowed-ips"), PERSISTENT_KEEPALIVE("persistent-keepalive");

        private final String key;

        Field(String key) {
            this.key = key;
        }

        /** The config key, as the logs print it. */
        public String key() {
            return key;
        }
    }

    /**
     * A segment field that a reload changes in place: the TAP, its frames and its counters stay. ({@code vni} and
     * {@code device} re-create the segment: {@link SegmentReplaced}.)
     */
    public enum SegmentField {
        BRIDGE("bridge"), PEERS("peers"), MSS_CLAMP("mss-clamp"), MAC_AGING("mac-aging"), MAC_TABLE_SIZE("mac-table-size"),
        RELAY("relay"), FLOOD_LIMIT("flood-limit"), ARP_SUPPRESSION("arp-suppression"), DHCP("dhcp"),
        MAC_FLAP_LIMIT("mac-flap-limit"), MAC_FLAP_HOLD("mac-flap-hold");

        private final String key;

        SegmentField(String key) {
            this.key = key;
        }

        /** The config key, as the logs print it ({@code peers} also when a member's VTEP or the overlay's peers changed). */
        public String key() {
            return key;
        }

        /** The keys of {@code fields}, sorted, comma-separated: as the reply and the logs print them. */
        public static String keys(Set<SegmentField> fields) {
            return String.join(",", fields.stream().sorted().map(SegmentField::key).toList());
        }
    }

    /**
     * One live change, in the order it is applied: overlays removed; then per overlay segments removed and replaced
     * (their old half), peers removed, replaced, updated, added, segments updated, added (and the new half of the
     * replaced ones), routing changed; overlays added.
     */
    public sealed interface Change {
        String overlay();
    }

    public record OverlayRemoved(OverlayConfig config) implements Change {
        public String overlay() { return config.name(); }
    }

    public record OverlayAdded(OverlayConfig config) implements Change {
        public String overlay() { return config.name(); }
    }

    public record PeerRemoved(String overlay, PeerConfig peer) implements Change {}

    public record PeerAdded(String overlay, PeerConfig peer) implements Change {}

    /** Same name, new public or preshared key: the old peer goes (its sessions with it) and a new one comes. */
    public record PeerReplaced(String overlay, PeerConfig before, PeerConfig after, String reason) implements Change {}

    public record PeerUpdated(String overlay, PeerConfig before, PeerConfig after, Set<Field> fields) implements Change {}

    /**
     * The overlay's socket mark or forced tunnelling changed (which includes a /0 coming into or leaving the peers'
     * allowed-ips with {@code default-route: true}): the old rules go, the mark changes, the new rules come, after the
     * overlay's peer changes. {@code before} and {@code after} are null when forced tunnelling is off.
     */
    public record RoutingChanged(String overlay, long fwmarkBefore, ForcedTunnel before, long fwmarkAfter,
            ForcedTunnel after) implements Change {}

    public record SegmentRemoved(String overlay, SegmentConfig segment) implements Change {}

    public record SegmentAdded(String overlay, SegmentConfig segment) implements Change {}

    /** Same name, new VNI or TAP device: the old segment goes (its TAP deleted) and a new one comes. */
    public record SegmentReplaced(String overlay, SegmentConfig before, SegmentConfig after, String reason)
            implements Change {}

    /** Same name, VNI and device; {@code fields} change in place. */
    public record SegmentUpdated(String overlay, SegmentConfig before, SegmentConfig after, Set<SegmentField> fields)
            implements Change {}

    /** Whether the preshared key a running peer uses differs from what its (unchanged) file holds now. */
    @FunctionalInterface
    public interface PresharedKeys {
        PresharedKeys UNCHANGED = (overlay, peer) -> false;

        boolean changed(String overlay, PeerConfig peer);
    }

    public static ConfigDiff between(SiteConfig running, SiteConfig loaded, PresharedKeys presharedKeys) {
        List<Change> removals = new ArrayList<>();
        List<Change> additions = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        siteFields(running, loaded, restart);

        Map<String, OverlayConfig> before = byName(running.overlays());
        Map<String, OverlayConfig> after = byName(loaded.overlays());
        List<OverlayConfig> applied = new ArrayList<>();
        for (OverlayConfig old : running.overlays()) {
            if (!after.containsKey(old.name())) {
                removals.add(new OverlayRemoved(old));
            }
        }
        List<Change> peerChanges = new ArrayList<>();
        for (OverlayConfig next : loaded.overlays()) {
            OverlayConfig old = before.get(next.name());
            if (old == null) {
                additions.add(new OverlayAdded(next));
                applied.add(next);
            } else {
                applied.add(overlay(old, next, presharedKeys, peerChanges, restart));
            }
        }
        List<Change> changes = new ArrayList<>(removals);
        changes.addAll(peerChanges);
        changes.addAll(additions);
        SiteConfig result = running.withOverlays(applied);
        return new ConfigDiff(List.copyOf(changes), List.copyOf(restart), result);
    }

    public boolean isEmpty() {
        return changes.isEmpty() && restartRequired.isEmpty();
    }

    private static void siteFields(SiteConfig running, SiteConfig loaded, List<String> restart) {
        if (!running.site().equals(loaded.site())) {
            restart.add("site");
        }
        if (!running.privateKeyFile().equals(loaded.privateKeyFile())) {
            restart.add("private-key-file");
        }
        if (!running.controlSocket().equals(loaded.controlSocket())) {
            restart.add("control-socket");
        }
        if (!Objects.equals(running.metrics(), loaded.metrics())) {
            restart.add("metrics");
        }
        if (!Objects.equals(running.ha(), loaded.ha())) {
            restart.add("ha");
        }
    }

    /** The overlay as it runs after the reload: peer and segment changes applied, everything else as before. */
    private static OverlayConfig overlay(OverlayConfig old, OverlayConfig next, PresharedKeys presharedKeys,
            List<Change> out, List<String> restart) {
        String name = old.name();
        String where = "overlay " + name + " ";
        if (!old.device().equals(next.device())) {
            restart.add(where + "device");
        }
        if (old.listenPort() != next.listenPort()) {
            restart.add(where + "listen-port");
        }
        if (!old.addresses().equals(next.addresses())) {
            restart.add(where + "addresses");
        }
        if (old.mtu() != next.mtu()) {
            restart.add(where + "mtu");
        }
        Map<String, PeerConfig> oldPeers = byPeerName(old.peers());
        Map<String, PeerConfig> newPeers = byPeerName(next.peers());
        List<PeerConfig> peers = new ArrayList<>();
        List<Change> removed = new ArrayList<>();
        List<Change> replaced = new ArrayList<>();
        List<Change> updated = new ArrayList<>();
        List<Change> added = new ArrayList<>();
        for (PeerConfig peer : old.peers()) {
            if (!newPeers.containsKey(peer.name())) {
                removed.add(new PeerRemoved(name, peer));
            }
        }
        for (PeerConfig peer : next.peers()) {
            PeerConfig was = oldPeers.get(peer.name());
            if (was == null) {
                added.add(new PeerAdded(name, peer));
                peers.add(peer);
                continue;
            }
            String reason = !was.publicKey().equals(peer.publicKey()) ? "public-key"
                    : !Objects.equals(was.presharedKeyFile(), peer.presharedKeyFile())
                            || presharedKeys.changed(name, peer) ? "preshared-key"
                    : null;
            if (reason != null) {
                replaced.add(new PeerReplaced(name, was, peer, reason));
                peers.add(peer);
                continue;
            }
            Set<Field> fields = EnumSet.noneOf(Field.class);
            if (!Objects.equals(was.endpoint(), peer.endpoint())) {
                fields.add(Field.ENDPOINT);
            }
            if (!was.allowedIps().equals(peer.allowedIps())) {
                fields.add(Field.ALLOWED_IPS);
            }
            if (was.persistentKeepaliveSeconds() != peer.persistentKeepaliveSeconds()) {
                fields.add(Field.PERSISTENT_KEEPALIVE);
            }
            if (!fields.isEmpty()) {
                updated.add(new PeerUpdated(name, was, peer, Set.copyOf(fields)));
            }
            peers.add(peer);
        }
        segments(old, next, out, removed, replaced, updated, added);
        if (old.fwmark() != next.fwmark() || !Objects.equals(old.forcedTunnel(), next.forcedTunnel())) {
            out.add(new RoutingChanged(name, old.fwmark(), old.forcedTunnel(), next.fwmark(), next.forcedTunnel()));
        }
        // The PKI files were just verified with the new peers, so their validity is the new one.
        return new OverlayConfig(name, old.device(), old.listenPort(), old.addresses(), old.mtu(), peers,
                next.segments(), next.ca(), next.crl(), next.certificate(), next.pki(), next.fwmark(),
                next.forcedTunnel());
    }

    /**
     * The overlay's segment changes, around its peer changes in the order they are applied: a segment that goes leaves
     * before the peers change (so a peer it carried can be removed), one that changes or comes does after (so it can
     * carry a peer that was just added).
     */
    private static void segments(OverlayConfig old, OverlayConfig next, List<Change> out, List<Change> peersRemoved,
            List<Change> peersReplaced, List<Change> peersUpdated, List<Change> peersAdded) {
        String name = old.name();
        Map<String, SegmentConfig> after = bySegmentName(next.segments());
        Map<String, SegmentConfig> before = bySegmentName(old.segments());
        List<Change> updated = new ArrayList<>();
        List<Change> added = new ArrayList<>();
        for (SegmentConfig segment : old.segments()) {
            if (!after.containsKey(segment.name())) {
                out.add(new SegmentRemoved(name, segment));
            }
        }
        for (SegmentConfig segment : next.segments()) {
            SegmentConfig was = before.get(segment.name());
            if (was == null) {
                added.add(new SegmentAdded(name, segment));
            } else if (was.vni() != segment.vni() || !was.device().equals(segment.device())) {
                out.add(new SegmentReplaced(name, was, segment, was.vni() != segment.vni() ? "vni" : "device"));
            } else {
                Set<SegmentField> fields = segmentFields(old, was, next, segment);
                if (!fields.isEmpty()) {
                    updated.add(new SegmentUpdated(name, was, segment, Set.copyOf(fields)));
                }
            }
        }
        out.addAll(peersRemoved);
        out.addAll(peersReplaced);
        out.addAll(peersUpdated);
        out.addAll(peersAdded);
        out.addAll(updated);
        out.addAll(added);
    }

    private static Set<SegmentField> segmentFields(OverlayConfig oldOverlay, SegmentConfig was, OverlayConfig nextOverlay,
            SegmentConfig now) {
        Set<SegmentField> fields = EnumSet.noneOf(SegmentField.class);
        if (!Objects.equals(was.bridge(), now.bridge())) {
            fields.add(SegmentField.BRIDGE);
        }
        if (!members(oldOverlay, was).equals(members(nextOverlay, now))) {
            fields.add(SegmentField.PEERS);
        }
        if (was.mssClamp() != now.mssClamp()) {
            fields.add(SegmentField.MSS_CLAMP);
        }
        if (was.macAgingSeconds() != now.macAgingSeconds()) {
            fields.add(SegmentField.MAC_AGING);
        }
        if (was.macTableSize() != now.macTableSize()) {
            fields.add(SegmentField.MAC_TABLE_SIZE);
        }
        if (was.relay() != now.relay()) {
            fields.add(SegmentField.RELAY);
        }
        if (was.floodLimit() != now.floodLimit()) {
            fields.add(SegmentField.FLOOD_LIMIT);
        }
        if (was.arpSuppression() != now.arpSuppression()) {
            fields.add(SegmentField.ARP_SUPPRESSION);
        }
        if (was.dhcp() != now.dhcp()) {
            fields.add(SegmentField.DHCP);
        }
        if (was.macFlapLimit() != now.macFlapLimit()) {
            fields.add(SegmentField.MAC_FLAP_LIMIT);
        }
        if (was.macFlapHoldSeconds() != now.macFlapHoldSeconds()) {
            fields.add(SegmentField.MAC_FLAP_HOLD);
        }
        return fields;
    }

    /**
     * Whom the segment carries: each peer (a segment without a peer list carries all of the overlay's) with its VTEP.
     * A peer replaced under the same name (new key) counts as the same member: the peer change says so.
     */
    private static Map<String, Cidr> members(OverlayConfig overlay, SegmentConfig segment) {
        Map<String, Cidr> members = new LinkedHashMap<>();
        for (PeerConfig peer : overlay.peers()) {
            if (segment.peers().isEmpty() || segment.peers().contains(peer.name())) {
                members.put(peer.name(), peer.effectiveVtep());
            }
        }
        return members;
    }

    private static Map<String, OverlayConfig> byName(List<OverlayConfig> overlays) {
        Map<String, OverlayConfig> map = new LinkedHashMap<>();
        overlays.forEach(o -> map.put(o.name(), o));
        return map;
    }

    private static Map<String, SegmentConfig> bySegmentName(List<SegmentConfig> segments) {
        Map<String, SegmentConfig> map = new LinkedHashMap<>();
        segments.forEach(s -> map.put(s.name(), s));
        return map;
    }

    private static Map<String, PeerConfig> byPeerName(List<PeerConfig> peers) {
        Map<String, PeerConfig> map = new LinkedHashMap<>();
        peers.forEach(p -> map.put(p.name(), p));
        return map;
    }
}
