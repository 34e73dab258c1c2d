package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key material in memory: nothing that holds a key or a key's path prints the key, and a session left idle for
 * 3 × REJECT_AFTER_TIME is erased (every keypair of both sides destroyed), on two overlays wired in memory.
 * Key files refused for group/world access: {@code KeyFilesTest}; keys' own toString/destroy: {@code KeysTest}.
 */
@ExtendWith(NoLeaks.class)
class KeyHygieneTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int HOST_A = v4(172, 16, 1, 10);
    private static final int HOST_B = v4(172, 16, 2, 10);

    private final PrivateKey keyA = PrivateKey.generate();
    private final PrivateKey keyB = PrivateKey.generate();
    private final PresharedKey psk = PresharedKey.generate();
    private final String keyABase64 = keyA.toBase64();
    private final String keyBBase64 = keyB.toBase64();
    private final String pskBase64 = psk.toBase64();
    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private Peer bAtA;
    private Peer aAtB;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        net = new MemoryNetwork();
        Log log = Log.with("test");
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log.child("site=a"));
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log.child("site=b"));
        bAtA = a.overlay.addPeer("site-b", keyB.publicKey(), copyOf(psk), ADDR_B, List.of(Cidr.parse("172.16.2.0/24")), 0);
        aAtB = b.overlay.addPeer("site-a", keyA.publicKey(), copyOf(psk), null, List.of(Cidr.parse("172.16.1.0/24")), 0);
        a.overlay.start();
        b.overlay.start();
        a.fromDevice(ipv4(HOST_A, HOST_B, 200, 1));
        net.deliverAll();
        b.fromDevice(ipv4(HOST_B, HOST_A, 200, 2));
        net.deliverAll();
        assertEquals(1, b.deviceWrites.size());
        assertEquals(1, a.deviceWrites.size());
    }

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    private static PresharedKey copyOf(PresharedKey key) {
        byte[] bytes = new byte[32];
        key.copyTo(bytes, 0);
        return PresharedKey.fromBytes(bytes, 0);
    }

    /** Every encoding of the test's secrets a careless toString could print. */
    private List<String> secretForms() {
        var forms = new ArrayList<String>();
        for (String base64 : List.of(keyABase64, keyBBase64, pskBase64)) {
            byte[] bytes = Base64.getDecoder().decode(base64);
            forms.add(base64);
            forms.add(base64.substring(0, 16));
            forms.add(HexFormat.of().formatHex(bytes));
            forms.add(HexFormat.of().formatHex(bytes, 0, 8));
            forms.add(java.util.Arrays.toString(bytes).substring(0, 20));
        }
        return forms;
    }

    private void assertNoSecret(String what, Object value) {
        String text = String.valueOf(value);
        String lower = text.toLowerCase(Locale.ROOT);
        for (String form : secretForms()) {
            assertFalse(text.contains(form) || lower.contains(form.toLowerCase(Locale.ROOT)),
                    what + " shows key bytes: " + text);
        }
    }

    @Test
    void nothingThatHoldsAKeyPrintsIt() throws Exception {
        assertNoSecret("PrivateKey", keyA);
        assertNoSecret("PresharedKey", psk);
        assertNoSecret("LocalIdentity", new LocalIdentity(keyA));
        Keypair session = bAtA.keypairs().current();
        assertNotNull(session);
        assertNoSecret("Keypair", session);
        assertNoSecret("Peer", bAtA);
        assertNoSecret("Overlay", a.overlay);

        Path key = Files.writeString(dir.resolve("site.key"), keyABase64 + "\n");
        Path pskFile = Files.writeString(dir.resolve("psk"), pskBase64 + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(pskFile, PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(dir.resolve("site.yaml"), """
                site: dc-east
                private-key-file: site.key
                overlays:
                  - name: corp
                    device: ocb-corp
                    addresses: [10.77.0.1/24]
                    peers:
                      - name: cloud-a
                        public-key: %s
                        preshared-key-file: psk
                        allowed-ips: [10.77.0.2/32]
                """.formatted(keyB.publicKey()));
        SiteConfig site = ConfigLoader.load(config);
        assertNoSecret("SiteConfig", site);
        assertNoSecret("OverlayConfig", site.overlays().getFirst());
        assertNoSecret("PeerConfig", site.overlays().getFirst().peers().getFirst());
        assertTrue(site.toString().contains("site.key"), "the path is shown, which is what an operator needs");
    }

    @Test
    void idleSessionsAreErasedAfterThreeTimesRejectAfterTime() {
        List<Keypair> sessions = new ArrayList<>();
        for (Peer peer : List.of(bAtA, aAtB)) {
            for (Keypair k : new Keypair[] {peer.keypairs().current(), peer.keypairs().previous(), peer.keypairs().next()}) {
                if (k != null) {
                    sessions.add(k);
                }
            }
        }
        assertTrue(sessions.size() >= 2, "a session on each side: " + sessions);
        sessions.forEach(k -> assertFalse(k.isDestroyed()));

        long stepMillis = 5_000;
        long idleMillis = 3 * Protocol.REJECT_AFTER_TIME_NANOS / 1_000_000 + 2 * stepMillis;
        for (long t = 0; t < idleMillis; t += stepMillis) {
            net.advanceMillis(stepMillis);
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }

        for (Keypair k : sessions) {
            assertTrue(k.isDestroyed(), k + " still holds keys after 3 x REJECT_AFTER_TIME idle");
        }
        for (Peer peer : List.of(bAtA, aAtB)) {
            assertNull(peer.keypairs().current(), peer + ": current");
            assertNull(peer.keypairs().previous(), peer + ": previous");
            assertNull(peer.keypairs().next(), peer + ": next");
        }
    }
}
