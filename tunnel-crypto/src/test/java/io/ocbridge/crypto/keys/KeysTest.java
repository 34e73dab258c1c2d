package io.ocbridge.crypto.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    // Made with `wg genkey | tee k | wg pubkey` and `wg genpsk` (wireguard-tools), test data only.
    private static final String WG_PRIVATE = "gHWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8Eo=";
    private static final String WG_PUBLIC = "08BvAe+hF8N/R5z650HNvS15SH8QGraU1njI/sZC23U=";
    private static final String WG_PSK = "W9368Tf8fxgZ5weSQEFxVu9PmgpFcCEOcIVuZOhULtY=";

    @Test
    void publicKeyMatchesWgPubkey() throws KeyFormatException {
        PrivateKey key = PrivateKey.fromBase64(WG_PRIVATE);
        assertEquals(WG_PUBLIC, key.publicKey().toBase64());
        assertEquals(PublicKey.fromBase64(WG_PUBLIC), key.publicKey());
        assertEquals(WG_PRIVATE, key.toBase64());
    }

    @Test
    void presharedKeyFromWgGenpskParses() throws KeyFormatException {
        assertEquals(WG_PSK, PresharedKey.fromBase64(WG_PSK).toBase64());
        assertEquals("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", PresharedKey.zero().toBase64());
    }

    @Test
    void generatedKeysRoundTripAndAreClampedLikeWgGenkey() throws KeyFormatException {
        for (int i = 0; i < 50; i++) {
            PrivateKey key = PrivateKey.generate();
            byte[] raw = Base64.getDecoder().decode(key.toBase64());
            assertEquals(0, raw[0] & 7);
            assertEquals(0x40, raw[31] & 0xc0);
            assertEquals(key.toBase64(), PrivateKey.fromBase64(key.toBase64()).toBase64());
            PublicKey pub = key.publicKey();
            assertEquals(pub, PublicKey.fromBase64(pub.toBase64()));
            assertEquals(pub.hashCode(), PublicKey.fromBase64(pub.toBase64()).hashCode());
            PresharedKey psk = PresharedKey.generate();
            assertEquals(psk.toBase64(), PresharedKey.fromBase64(psk.toBase64()).toBase64());
        }
    }

    @Test
    void unclampedImportGivesTheSamePublicKeyAsClamped() throws KeyFormatException {
        byte[] raw = Base64.getDecoder().decode(WG_PRIVATE);
        raw[0] |= 7;
        raw[31] |= (byte) 0x80;
        raw[31] &= (byte) 0xbf;
        PrivateKey unclamped = PrivateKey.fromBase64(Base64.getEncoder().encodeToString(raw));
        assertEquals(WG_PUBLIC, unclamped.publicKey().toBase64());
        PrivateKey.clamp(raw);
        assertEquals(WG_PRIVATE, Base64.getEncoder().encodeToString(raw));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "gHWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8E=",   // 43 characters
        "gHWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8Eo==", // 45 characters
        "gHWXF8MmGdWb18COWT_-0KMNdeH4tOKYYlro8wfR8Eo=",  // URL-safe alphabet
        "gHWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8Ep=",  // non-canonical: unused low bits set
        "gHWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8Eoo",  // 33 bytes, no padding
        "gHWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8E==",  // 31 bytes
        " HWXF8MmGdWb18COWT/+0KMNdeH4tOKYYlro8wfR8Eo=",
    })
    void rejectsAnythingButWgFormatWithoutEchoingTheInput(String bad) {
        KeyFormatException e = assertThrows(KeyFormatException.class, () -> PrivateKey.fromBase64(bad));
        assertTrue(e.getMessage().startsWith("not 32 bytes of base64"), e.getMessage());
        if (!bad.isEmpty()) {
            assertFalse(e.getMessage().contains(bad.substring(0, 8)));
        }
        assertThrows(KeyFormatException.class, () -> PublicKey.fromBase64(bad));
        assertThrows(KeyFormatException.class, () -> PresharedKey.fromBase64(bad));
        byte[] text = bad.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThrows(KeyFormatException.class, () -> PrivateKey.fromBase64(text), "the byte form is as strict");
        assertThrows(KeyFormatException.class, () -> PresharedKey.fromBase64(text));
    }

    @Test
    void theByteFormReadsWhatTheTextFormReads() throws KeyFormatException {
        byte[] text = WG_PRIVATE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(PrivateKey.fromBase64(WG_PRIVATE).publicKey(), PrivateKey.fromBase64(text).publicKey());
        assertEquals(WG_PRIVATE, new String(text, java.nio.charset.StandardCharsets.US_ASCII), "the caller's array is not touched");
    }

    @Test
    void nullIsAFormatError() {
        assertThrows(KeyFormatException.class, () -> PublicKey.fromBase64(null));
    }

    @Test
    void secretsNeverPrint() throws KeyFormatException {
        assertEquals("PrivateKey[redacted]", PrivateKey.fromBase64(WG_PRIVATE).toString());
        assertEquals("PresharedKey[redacted]", PresharedKey.fromBase64(WG_PSK).toString());
        assertEquals(WG_PUBLIC, PublicKey.fromBase64(WG_PUBLIC).toString());
    }

    @Test
    void destroyZeroesThePrivateKey() throws KeyFormatException {
        PrivateKey key = PrivateKey.fromBase64(WG_PRIVATE);
        key.destroy();
        assertTrue(key.isDestroyed());
        PresharedKey psk = PresharedKey.fromBase64(WG_PSK);
        psk.destroy();
        assertEquals(PresharedKey.zero().toBase64(), psk.toBase64());
    }

    @Test
    void publicKeyBytesAreACopy() throws KeyFormatException {
        PublicKey pub = PublicKey.fromBase64(WG_PUBLIC);
        pub.bytes()[0] ^= 1;
        assertEquals(WG_PUBLIC, pub.toBase64());
        assertNotEquals(pub, PrivateKey.generate().publicKey());
    }
}
