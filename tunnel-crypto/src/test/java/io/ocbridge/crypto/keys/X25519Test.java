package io.ocbridge.crypto.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class X25519Test {

    private static final HexFormat HEX = HexFormat.of();

    private static PrivateKey privateKey(String hex) throws KeyFormatException {
        return PrivateKey.fromBase64(Base64.getEncoder().encodeToString(HEX.parseHex(hex)));
    }

    private static PublicKey publicKey(String hex) {
        return PublicKey.fromBytes(HEX.parseHex(hex), 0);
    }

    private static String agree(PrivateKey k, PublicKey u) {
        byte[] out = new byte[32];
        assertTrue(k.sharedSecret(u, out, 0));
        return HEX.formatHex(out);
    }

    /** RFC 7748 section 5.2 (the second also matches Python cryptography's X25519). */
    @ParameterizedTest
    @CsvSource({
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4,"
            + " e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c,"
            + " c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d,"
            + " e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493,"
            + " 95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
    })
    void rfc7748Section52(String scalar, String u, String expected) throws KeyFormatException {
        assertEquals(expected, agree(privateKey(scalar), publicKey(u)));
    }

    @Test
    void rfc7748Section61DiffieHellman() throws KeyFormatException {
        PrivateKey alice = privateKey("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        PrivateKey bob = privateKey("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                HEX.formatHex(alice.publicKey().bytes()));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
                HEX.formatHex(bob.publicKey().bytes()));
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(shared, agree(alice, bob.publicKey()));
        assertEquals(shared, agree(bob, alice.publicKey()));
    }

    /** Small-order points (from the usual blocklist): the result is zero whatever the scalar. */
    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    })
    void lowOrderPointsAreRefused(String point) {
        assertFalse(PrivateKey.generate().sharedSecret(publicKey(point), new byte[32], 0));
    }

    /** BC raw arrays versus the JDK's XDH provider: results must agree; the timing is printed, never asserted. */
    @Test
    void printTimingComparedWithJdkXdh() throws Exception {
        byte[] k = new byte[32];
        byte[] u = PrivateKey.generate().publicKey().bytes();
        byte[] out = new byte[32];
        k[0] = 8;
        int n = 2000;
        for (int i = 0; i < n; i++) {
            X25519.scalarMult(k, 0, u, 0, out, 0);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            X25519.scalarMult(k, 0, u, 0, out, 0);
        }
        long bcNanos = (System.nanoTime() - t0) / n;

        var kf = java.security.KeyFactory.getInstance("XDH");
        var params = java.security.spec.NamedParameterSpec.X25519;
        var priv = kf.generatePrivate(new java.security.spec.XECPrivateKeySpec(params, k));
        byte[] reversed = u.clone();
        for (int i = 0; i < 16; i++) {
            byte t = reversed[i];
            reversed[i] = reversed[31 - i];
            reversed[31 - i] = t;
        }
        var pub = kf.generatePublic(new java.security.spec.XECPublicKeySpec(params,
                new java.math.BigInteger(1, reversed)));
        var ka = javax.crypto.KeyAgreement.getInstance("XDH");
        ka.init(priv);
        ka.doPhase(pub, true);
        X25519.scalarMult(k, 0, u, 0, out, 0);
        assertEquals(HEX.formatHex(out), HEX.formatHex(ka.generateSecret()), "BC and the JDK agree");
        for (int i = 0; i < n; i++) {
            ka.init(priv);
            ka.doPhase(pub, true);
            ka.generateSecret();
        }
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ka.init(priv);
            ka.doPhase(pub, true);
            ka.generateSecret();
        }
        long jdkNanos = (System.nanoTime() - t0) / n;
        System.out.printf("X25519 per operation: BouncyCastle %d us, JDK XDH %d us%n", bcNanos / 1000, jdkNanos / 1000);
    }
}
