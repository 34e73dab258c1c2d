package io.ocbridge.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters.Event;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.route.ForcedTunnel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusJsonTest {

    @Test
    void schemaOneFieldNames() {
        String json = StatusJson.write(StatusFixtures.site());
        assertTrue(json.startsWith("{\"schema\":1,\"site\":\"dc-east\",\"time\":1767225600,\"role\":\"active\","
                + "\"follow_address\":null,\"overlays\":[{\"name\":"
                + "\"corp\",\"device\":\"ocb-corp\",\"listen_port\":51820,\"public_key\":\""), json);
        assertTrue(json.contains("{\"name\":\"cloud-a\",\"public_key\":\"" + StatusFixtures.PEER_KEY + "\","
                + "\"endpoint\":\"192.0.2.2:51820\",\"allowed_ips\":[\"10.77.0.2/32\",\"172.20.0.0/16\"],"
                + "\"latest_handshake\":1767225588,\"rx_bytes\":1258291,\"tx_bytes\":3565158,"
                + "\"session\":\"established\",\"persistent_keepalive\":25,\"rx_packets\":1021,\"tx_packets\":2644}"), json);
        assertTrue(json.contains("\"public_key\":\"" + StatusFixtures.OVERLAY_KEY + "\",\"offloads\":{\"device\":true,"
                + "\"udp_gso\":false,\"udp_gro\":true},\"peers\":["), json);
        assertTrue(json.contains("\"endpoint\":null"), json);
        assertTrue(json.contains("\"drops\":{\"malformed\":0,"), json);
        assertTrue(json.contains("\"no_route\":3"), json);
        assertTrue(json.contains("\"handshakes\":{\"initiation_sent\":2,"), json);
        assertTrue(!json.contains("\n"), "one line");
    }

    @Test
    void roundTrips() {
        SiteStatus read = StatusJson.read(StatusJson.write(StatusFixtures.site()));
        OverlayStatus expected = StatusFixtures.site().overlays().get(0);
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            drops.put(r, expected.drops().getOrDefault(r, 0L));
        }
        Map<Event, Long> handshakes = new EnumMap<>(Event.class);
        for (Event e : Event.values()) {
            handshakes.put(e, expected.handshakes().getOrDefault(e, 0L));
        }
        OverlayStatus full = new OverlayStatus(expected.name(), expected.device(), expected.listenPort(),
                expected.publicKey(), expected.peers(), drops, handshakes, List.of(), expected.offloads());
        assertEquals(new SiteStatus("dc-east", StatusFixtures.NOW, List.of(full)), read);
    }

    /** The socket's mark and the forced tunnel: always both members, {@code forced_tunnel} null when off. */
    @Test
    void routingIsWrittenAndReadBack() {
        OverlayStatus base = StatusFixtures.site().overlays().get(0);
        for (OverlayStatus.Routing routing : List.of(new OverlayStatus.Routing(0, null),
                new OverlayStatus.Routing(51820, new ForcedTunnel(51820, 51820, 32_000, true, true)),
                new OverlayStatus.Routing(7, new ForcedTunnel(4_000_000_000L, 7, 10, false, true)))) {
            OverlayStatus overlay = new OverlayStatus(base.name(), base.device(), base.listenPort(), base.publicKey(),
                    base.peers(), base.drops(), base.handshakes(), List.of(), base.offloads(), routing);
            String json = StatusJson.write(new SiteStatus("dc-east", 1, List.of(overlay)));
            assertEquals(routing, StatusJson.read(json).overlays().get(0).routing(), json);
            if (routing.forcedTunnel() == null) {
                assertTrue(json.contains("\"fwmark\":0,\"forced_tunnel\":null"), json);
            }
        }
        String both = StatusJson.write(new SiteStatus("dc-east", 1, List.of(new OverlayStatus(base.name(),
                base.device(), base.listenPort(), base.publicKey(), base.peers(), base.drops(), base.handshakes(),
                List.of(), null, new OverlayStatus.Routing(51820, new ForcedTunnel(51820, 51820, 32_000, true, true))))));
        assertTrue(both.contains("\"fwmark\":51820,\"forced_tunnel\":{\"table\":51820,\"fwmark\":51820,"
                + "\"rule_priority\":32000,\"families\":[\"ipv4\",\"ipv6\"]}"), both);
        assertEquals(null, StatusJson.read(StatusJson.write(StatusFixtures.site())).overlays().get(0).routing(),
                "a document without fwmark (an older daemon): routing unknown");
    }

    @Test
    void everyCharacterClassRoundTrips() {
        String nasty = "q\"b\\s/\n\r\t\b\f\u0001\u007f\u2028 caf\u00e9 \ud83d\ude00";
        SiteStatus site = new SiteStatus(nasty, 1, List.of(), "active", nasty);
        SiteStatus read = StatusJson.read(StatusJson.write(site));
        assertEquals(nasty, read.site());
        assertEquals(nasty, read.followAddress());
    }

    @Test
    void malformedDocumentsAreOneLineErrors() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "{} x",
                "[".repeat(100), "{\"schema\":1}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StatusJson.read(bad), bad);
            assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void theHaRoleAndFollowAddressRoundTrip() {
        SiteStatus read = StatusJson.read(StatusJson.write(new SiteStatus("dc", 1, List.of(), "standby", "192.0.2.10")));
        assertEquals("standby", read.role());
        assertEquals("192.0.2.10", read.followAddress());
        assertEquals("active", StatusJson.read(StatusJson.write(StatusFixtures.site())).role(), "without HA: active");
    }

    static SiteStatus withPki() {
        OverlayStatus plain = StatusFixtures.site().overlays().getFirst();
        OverlayStatus.Pki pki = new OverlayStatus.Pki(2_082_758_400L, 1_769_817_600L, "expiring",
                new OverlayStatus.CertificateExpiry("dc-east", 1_798_761_600L, "valid"),
                List.of(new OverlayStatus.CertificateExpiry("cloud-a", 1_767_225_900L, "expired"),
                        new OverlayStatus.CertificateExpiry("cloud-b", 1_768_000_000L, "expiring")));
        return new SiteStatus("dc-east", StatusFixtures.NOW, List.of(plain.withCertificates(
                List.of(new OverlayStatus.RefusedPeer("cloud-a", "certificate-expired", 1_767_225_901L)), pki)));
    }

    @Test
    void refusedPeersAndThePkiAreWrittenAndReadBack() {
        String json = StatusJson.write(withPki());
        assertTrue(json.contains("\"refused_peers\":[{\"name\":\"cloud-a\",\"reason\":\"certificate-expired\","
                + "\"since\":1767225901}],\"pki\":{\"ca_not_after\":2082758400,\"crl_next_update\":1769817600,"
                + "\"crl_state\":\"expiring\",\"own_certificate\":{\"name\":\"dc-east\",\"not_after\":1798761600,"
                + "\"state\":\"valid\"},\"certificates\":[{\"name\":\"cloud-a\",\"not_after\":1767225900,"
                + "\"state\":\"expired\"},"), json);
        OverlayStatus read = StatusJson.read(json).overlays().getFirst();
        OverlayStatus expected = withPki().overlays().getFirst();
        assertEquals(expected.refusedPeers(), read.refusedPeers());
        assertEquals(expected.pki(), read.pki());
    }

    @Test
    void withoutPkiTheFieldsAreEmptyAndAnOlderDocumentReadsTheSame() {
        String json = StatusJson.write(StatusFixtures.site());
        assertTrue(json.contains("\"refused_peers\":[],\"pki\":null}"), json);
        String older = json.replace(",\"refused_peers\":[],\"pki\":null", "");
        OverlayStatus read = StatusJson.read(older).overlays().getFirst();
        assertEquals(List.of(), read.refusedPeers());
        assertEquals(null, read.pki());
        OverlayStatus noCrl = StatusJson.read(StatusJson.write(new SiteStatus("dc", 1, List.of(
                StatusFixtures.site().overlays().getFirst().withCertificates(List.of(),
                        new OverlayStatus.Pki(5, 0, null, null, List.of())))))).overlays().getFirst();
        assertEquals(new OverlayStatus.Pki(5, 0, null, null, List.of()), noCrl.pki());
    }

    @Test
    void aDocumentWithoutOffloadsReadsAsUnknown() {
        String json = StatusJson.write(StatusFixtures.site())
                .replace("\"offloads\":{\"device\":true,\"udp_gso\":false,\"udp_gro\":true},", "");
        assertEquals(null, StatusJson.read(json).overlays().get(0).offloads());
    }

    @Test
    void readerIgnoresUnknownMembersButNotAnotherSchema() {
        String json = StatusJson.write(StatusFixtures.site()).replace("{\"schema\":1,", "{\"schema\":1,\"new\":[1],");
        assertEquals("dc-east", StatusJson.read(json).site());
        String two = json.replace("\"schema\":1", "\"schema\":2");
        assertThrows(IllegalArgumentException.class, () -> StatusJson.read(two));
    }
}
