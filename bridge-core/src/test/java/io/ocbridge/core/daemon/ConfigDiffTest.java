package io.ocbridge.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.config.Endpoint;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.PkiValidity;
import io.ocbridge.core.config.SegmentConfig;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.route.ForcedTunnel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static final String KEY_B = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";
    private static final String KEY_C = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA=";
    private static final String KEY_D = "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDA=";
    private static final String KEY_E = "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEA=";

    private static PeerConfig peer(String name, String key, String... allowed) {
        return new PeerConfig(name, key, null, new Endpoint("192.0.2.2", 51820),
                List.of(allowed).stream().map(Cidr::parse).toList(), 0);
    }

    private static OverlayConfig overlay(String name, List<PeerConfig> peers) {
        return new OverlayConfig(name, "ocb0", 51820, List.of(Cidr.parse("10.77.0.1/24")), 1420, peers);
    }

    private static SiteConfig site(OverlayConfig... overlays) {
        return new SiteConfig(Path.of("/etc/ocbridge/a.yaml"), "site-a", Path.of("private.key"), List.of(overlays));
    }

    private final PeerConfig b = peer("site-b", KEY_B, "10.77.0.2/32", "172.16.2.0/24");
    private final PeerConfig c = peer("site-c", KEY_C, "10.77.0.3/32");
    private final PeerConfig d = peer("site-d", KEY_D, "10.77.0.4/32");

    @Test
    void aRenewedCertificateChangesNothingLiveButWhatTheSitePkiWatches() {
        Instant soon = Instant.parse("2026-01-01T00:05:00Z");
        Instant later = Instant.parse("2027-01-01T00:00:00Z");
        PkiValidity pki = new PkiValidity(Instant.parse("2036-01-01T00:00:00Z"), null, null);
        OverlayConfig before = certifiedOverlay(pki, certified(b, soon));
        OverlayConfig after = certifiedOverlay(pki, certified(b, later));
        ConfigDiff diff = ConfigDiff.between(site(before), site(after), ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(), diff.changes(), "same key and allowed-ips: the session is kept");
        assertEquals(later, diff.applied().overlays().getFirst().peers().getFirst().certificateNotAfter());
        assertEquals(pki, diff.applied().overlays().getFirst().pki());
    }

    @Test
    void aPeerTheSitePkiRefusedIsAddedAgainByTheReloadThatRenewedIt() {
        PkiValidity pki = new PkiValidity(Instant.parse("2036-01-01T00:00:00Z"), null, null);
        PeerConfig expired = certified(b, Instant.parse("2026-01-01T00:05:00Z"));
        PeerConfig renewed = certified(b, Instant.parse("2027-01-01T00:00:00Z"));
        SiteConfig running = Daemon.withoutRefused(site(certifiedOverlay(pki, expired, c)), Map.of("corp", Set.of("site-b")));
        assertEquals(List.of(c), running.overlays().getFirst().peers());
        ConfigDiff diff = ConfigDiff.between(running, site(certifiedOverlay(pki, renewed, c)),
                ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(new ConfigDiff.PeerAdded("corp", renewed)), diff.changes());
    }

    private static PeerConfig certified(PeerConfig peer, Instant notAfter) {
        return new PeerConfig(peer.name(), peer.publicKey(), null, peer.endpoint(), peer.allowedIps(), 0, null,
                Path.of(peer.name() + ".crt"), notAfter);
    }

    private static OverlayConfig certifiedOverlay(PkiValidity pki, PeerConfig... peers) {
        return new OverlayConfig("corp", "ocb0", 51820, List.of(Cidr.parse("10.77.0.1/24")), 1420, List.of(peers),
                List.of(), Path.of("ca.crt"), null, null, pki, 0, null);
    }

    @Test
    void identicalConfigsHaveNoDifference() {
        SiteConfig config = site(overlay("corp", List.of(b, c)));
        ConfigDiff diff = ConfigDiff.between(config, config, ConfigDiff.PresharedKeys.UNCHANGED);
        assertTrue(diff.isEmpty());
        assertEquals(config.overlays(), diff.applied().overlays());
    }

    @Test
    void peersAddedRemovedUpdatedInApplyOrderAndUntouchedPeerAbsent() {
        PeerConfig dWider = peer("site-d", KEY_D, "10.77.0.4/32", "172.16.4.0/24");
        PeerConfig e = peer("site-e", KEY_E, "10.77.0.5/32");
        SiteConfig before = site(overlay("corp", List.of(b, c, d)));
        SiteConfig after = site(overlay("corp", List.of(b, dWider, e)));
        ConfigDiff diff = ConfigDiff.between(before, after, ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(new ConfigDiff.PeerRemoved("corp", c),
                new ConfigDiff.PeerUpdated("corp", d, dWider, Set.of(ConfigDiff.Field.ALLOWED_IPS)),
                new ConfigDiff.PeerAdded("corp", e)), diff.changes());
        assertTrue(diff.restartRequired().isEmpty());
        assertEquals(List.of(b, dWider, e), diff.applied().overlays().getFirst().peers());
    }

    /** Forced tunnelling on, changed or off is applied live, after the peer changes that bring or take the /0. */
    @Test
    void routingChangesComeAfterThePeerChanges() {
        PeerConfig dc = peer("site-b", KEY_B, "10.77.0.2/32", "0.0.0.0/0");
        ForcedTunnel on = new ForcedTunnel(51820, 51820, 32_000, true, false);
        OverlayConfig plain = overlay("corp", List.of(b));
        OverlayConfig forced = new OverlayConfig("corp", "ocb0", 51820, List.of(Cidr.parse("10.77.0.1/24")), 1420,
                List.of(dc), List.of(), null, null, null, null, 51820, on);
        ConfigDiff diff = ConfigDiff.between(site(plain), site(forced), ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(new ConfigDiff.PeerUpdated("corp", b, dc, Set.of(ConfigDiff.Field.ALLOWED_IPS)),
                new ConfigDiff.RoutingChanged("corp", 0, null, 51820, on)), diff.changes());
        assertEquals(forced, diff.applied().overlays().getFirst());
        assertTrue(diff.restartRequired().isEmpty());

        ConfigDiff off = ConfigDiff.between(site(forced), site(plain), ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(new ConfigDiff.RoutingChanged("corp", 51820, on, 0, null), off.changes().getLast());
        ForcedTunnel moved = new ForcedTunnel(1000, 51820, 32_000, true, false);
        ConfigDiff changed = ConfigDiff.between(site(forced), site(new OverlayConfig("corp", "ocb0", 51820,
                forced.addresses(), 1420, List.of(dc), List.of(), null, null, null, null, 51820, moved)),
                ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(new ConfigDiff.RoutingChanged("corp", 51820, on, 51820, moved)), changed.changes());
        assertEquals("routing-changed overlay=corp fwmark=51820 default-route=on table=1000",
                Daemon.describe(changed.changes().getFirst()));
        assertEquals("routing-changed overlay=corp fwmark=0 default-route=off", Daemon.describe(off.changes().getLast()));
    }

    @Test
    void endpointAndKeepaliveAreUpdatesNewKeysAreReplacements() {
        PeerConfig moved = new PeerConfig("site-b", KEY_B, null, new Endpoint("198.51.100.2", 51820), b.allowedIps(), 25);
        PeerConfig rekeyed = peer("site-c", KEY_E, "10.77.0.3/32");
        PeerConfig withPsk = new PeerConfig("site-d", KEY_D, Path.of("d.psk"), d.endpoint(), d.allowedIps(), 0);
        ConfigDiff diff = ConfigDiff.between(site(overlay("corp", List.of(b, c, d))),
                site(overlay("corp", List.of(moved, rekeyed, withPsk))), ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(new ConfigDiff.PeerReplaced("corp", c, rekeyed, "public-key"),
                new ConfigDiff.PeerReplaced("corp", d, withPsk, "preshared-key"),
                new ConfigDiff.PeerUpdated("corp", b, moved,
                        Set.of(ConfigDiff.Field.ENDPOINT, ConfigDiff.Field.PERSISTENT_KEEPALIVE))), diff.changes());
    }

    @Test
    void aPresharedKeyFileRewrittenInPlaceReplacesThePeer() {
        PeerConfig withPsk = new PeerConfig("site-b", KEY_B, Path.of("b.psk"), b.endpoint(), b.allowedIps(), 0);
        SiteConfig config = site(overlay("corp", List.of(withPsk)));
        ConfigDiff diff = ConfigDiff.between(config, config, (overlay, peer) -> peer.name().equals("site-b"));
        assertEquals(List.of(new ConfigDiff.PeerReplaced("corp", withPsk, withPsk, "preshared-key")), diff.changes());
    }

    @Test
    void overlaysComeAndGoWholeRemovalsFirstAdditionsLast() {
        OverlayConfig lab = new OverlayConfig("lab", "ocb1", 51821, List.of(Cidr.parse("10.88.0.1/24")), 1420,
                List.of(c));
        OverlayConfig corp = overlay("corp", List.of(b));
        ConfigDiff diff = ConfigDiff.between(site(lab), site(corp), ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of(new ConfigDiff.OverlayRemoved(lab), new ConfigDiff.OverlayAdded(corp)), diff.changes());
        assertEquals(List.of(corp), diff.applied().overlays());
    }

    @Test
    void deviceSettingsNeedARestartAndKeepTheirRunningValues() {
        OverlayConfig running = overlay("corp", List.of(b));
        OverlayConfig edited = new OverlayConfig("corp", "ocb9", 51999, List.of(Cidr.parse("10.99.0.1/24")), 1380,
                List.of(b, c));
        SiteConfig loaded = new SiteConfig(Path.of("/etc/ocbridge/a.yaml"), "site-x", Path.of("other.key"),
                List.of(edited));
        ConfigDiff diff = ConfigDiff.between(site(running), loaded, ConfigDiff.PresharedKeys.UNCHANGED);
        assertEquals(List.of("site", "private-key-file", "control-socket", "overlay corp device",
                "overlay corp listen-port", "overlay corp addresses", "overlay corp mtu"), diff.restartRequired());
        assertEquals(List.of(new ConfigDiff.PeerAdded("corp", c)), diff.changes(), "the peers still change live");
        OverlayConfig applied = diff.applied().overlays().getFirst();
        assertEquals("ocb0", applied.device());
        assertEquals(1420, applied.mtu());
        assertEquals(List.of(b, c), applied.peers());
        assertEquals("site-a", diff.applied().site());
    }

    private static SegmentConfig segment(String name, int vni, String device, String bridge, String... peers) {
        return new SegmentConfig(name, vni, device, bridge, List.of(peers), SegmentConfig.MSS_AUTO,
                SegmentConfig.DEFAULT_MAC_AGING_SECONDS, SegmentConfig.DEFAULT_MAC_TABLE_SIZE);
    }

    private static OverlayConfig withSegments(List<PeerConfig> peers, SegmentConfig... segments) {
        return new OverlayConfig("corp", "ocb0", 51820, List.of(Cidr.parse("10.77.0.1/24")), 1420, peers,
                List.of(segments));
    }

    private static ConfigDiff diff(OverlayConfig running, OverlayConfig loaded) {
        return ConfigDiff.between(site(running), site(loaded), ConfigDiff.PresharedKeys.UNCHANGED);
    }

    @Test
    void segmentsAddedRemovedAndChangedAreLiveChangesNotRestarts() {
        SegmentConfig lan = segment("lan", 100, "ocbtap0", "br-lan");
        SegmentConfig lab = segment("lab", 200, "ocbtap1", "br-lab");
        SegmentConfig dmz = segment("dmz", 300, "ocbtap2", null);
        SegmentConfig labSafer = new SegmentConfig("lab", 200, "ocbtap1", "br-lab2", List.of("site-b"), 1200, 60, 512,
                true, 10, false, SegmentConfig.DhcpPolicy.BLOCK, 0, 5);
        ConfigDiff diff = diff(withSegments(List.of(b, c), lan, lab), withSegments(List.of(b, c), lan, labSafer, dmz));
        assertEquals(List.of(), diff.restartRequired());
        assertEquals(List.of(
                new ConfigDiff.SegmentUpdated("corp", lab, labSafer, Set.of(ConfigDiff.SegmentField.values())),
                new ConfigDiff.SegmentAdded("corp", dmz)), diff.changes(), "lan is untouched");
        assertEquals(List.of(lan, labSafer, dmz), diff.applied().overlays().getFirst().segments());

        ConfigDiff removal = diff(withSegments(List.of(b, c), lan, lab), withSegments(List.of(b, c), lan));
        assertEquals(List.of(new ConfigDiff.SegmentRemoved("corp", lab)), removal.changes());
        assertEquals(List.of(lan), removal.applied().overlays().getFirst().segments());
        assertTrue(removal.restartRequired().isEmpty());
    }

    @Test
    void aNewVniOrDeviceReCreatesOnlyThatSegment() {
        SegmentConfig lan = segment("lan", 100, "ocbtap0", "br-lan");
        SegmentConfig lab = segment("lab", 200, "ocbtap1", "br-lab");
        SegmentConfig labVni = segment("lab", 201, "ocbtap1", "br-lab");
        SegmentConfig labDevice = segment("lab", 200, "ocbtap9", "br-lab");
        assertEquals(List.of(new ConfigDiff.SegmentReplaced("corp", lab, labVni, "vni")),
                diff(withSegments(List.of(b), lan, lab), withSegments(List.of(b), lan, labVni)).changes());
        assertEquals(List.of(new ConfigDiff.SegmentReplaced("corp", lab, labDevice, "device")),
                diff(withSegments(List.of(b), lan, lab), withSegments(List.of(b), lan, labDevice)).changes());
    }

    @Test
    void aPeerCarryingASegmentIsRemovedLiveAfterTheSegmentLetsGoOfIt() {
        SegmentConfig all = segment("lan", 100, "ocbtap0", null);
        SegmentConfig onlyB = segment("lab", 200, "ocbtap1", null, "site-b", "site-c");
        SegmentConfig labWithoutC = segment("lab", 200, "ocbtap1", null, "site-b");
        ConfigDiff diff = diff(withSegments(List.of(b, c), all, onlyB), withSegments(List.of(b), all, labWithoutC));
        assertEquals(List.of(), diff.restartRequired());
        assertEquals(List.of(new ConfigDiff.PeerRemoved("corp", c),
                new ConfigDiff.SegmentUpdated("corp", all, all, Set.of(ConfigDiff.SegmentField.PEERS)),
                new ConfigDiff.SegmentUpdated("corp", onlyB, labWithoutC, Set.of(ConfigDiff.SegmentField.PEERS))),
                diff.changes());
        assertEquals(List.of(b), diff.applied().overlays().getFirst().peers());
    }

    @Test
    void aRemovedSegmentGoesBeforeThePeersChangeAndAnAddedOneComesAfter() {
        SegmentConfig lab = segment("lab", 200, "ocbtap1", null, "site-c");
        SegmentConfig dmz = segment("dmz", 300, "ocbtap2", null, "site-d");
        ConfigDiff diff = diff(withSegments(List.of(b, c), lab), withSegments(List.of(b, d), dmz));
        assertEquals(List.of(new ConfigDiff.SegmentRemoved("corp", lab), new ConfigDiff.PeerRemoved("corp", c),
                new ConfigDiff.PeerAdded("corp", d), new ConfigDiff.SegmentAdded("corp", dmz)), diff.changes());
    }

    @Test
    void aMembersNewVtepOrKeyChangesItLive() {
        SegmentConfig lan = segment("lan", 100, "ocbtap0", null);
        PeerConfig bMoved = new PeerConfig("site-b", KEY_B, null, b.endpoint(),
                List.of(Cidr.parse("10.77.0.9/32"), Cidr.parse("172.16.2.0/24")), 0);
        PeerConfig bRekeyed = new PeerConfig("site-b", KEY_E, null, b.endpoint(), b.allowedIps(), 0);
        ConfigDiff moved = diff(withSegments(List.of(b), lan), withSegments(List.of(bMoved), lan));
        assertEquals(List.of(new ConfigDiff.PeerUpdated("corp", b, bMoved, Set.of(ConfigDiff.Field.ALLOWED_IPS)),
                new ConfigDiff.SegmentUpdated("corp", lan, lan, Set.of(ConfigDiff.SegmentField.PEERS))), moved.changes());
        ConfigDiff rekeyed = diff(withSegments(List.of(b), lan), withSegments(List.of(bRekeyed), lan));
        assertEquals(List.of(new ConfigDiff.PeerReplaced("corp", b, bRekeyed, "public-key")), rekeyed.changes());
        assertTrue(moved.restartRequired().isEmpty() && rekeyed.restartRequired().isEmpty());
    }

    @Test
    void describedChangesNameOverlayPeerAndFields() {
        var change = new ConfigDiff.PeerUpdated("corp", b, b,
                Set.of(ConfigDiff.Field.PERSISTENT_KEEPALIVE, ConfigDiff.Field.ALLOWED_IPS));
        assertEquals("peer-updated overlay=corp peer=site-b fields=allowed-ips,persistent-keepalive",
                Daemon.describe(change));
        assertInstanceOf(String.class, Daemon.describe(new ConfigDiff.PeerAdded("corp", c)));
        SegmentConfig lan = segment("lan", 100, "ocbtap0", null);
        assertEquals("segment-updated overlay=corp segment=lan fields=peers,flood-limit",
                Daemon.describe(new ConfigDiff.SegmentUpdated("corp", lan, lan,
                        Set.of(ConfigDiff.SegmentField.FLOOD_LIMIT, ConfigDiff.SegmentField.PEERS))));
        assertEquals("segment-added overlay=corp segment=lan vni=100",
                Daemon.describe(new ConfigDiff.SegmentAdded("corp", lan)));
    }
}
