package io.ocbridge.crypto.aead;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Vectors from draft-irtf-cfrg-xchacha-03, sections 2.2.1 and A.3.1. */
class XChaChaPolyTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void hchacha20SubkeyVector() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
        byte[] out = new byte[32];
        HChaCha20.subkey(key, nonce, 0, out);
        assertEquals("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc", HEX.formatHex(out));
    }

    @Test
    void xchacha20Poly1305AeadVector() {
        byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
                + "the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        String expected = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                + "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                + "21f9664c97637da9768812f615c68b13b52e"
                + "c0875924c1c7987947deafd8780acf49";

        byte[] sealed = new byte[plaintext.length + 16];
        XChaChaPoly.seal(key, nonce, plaintext, 0, plaintext.length, aad, sealed, 0);
        assertEquals(expected, HEX.formatHex(sealed));

        byte[] opened = new byte[plaintext.length];
        assertTrue(XChaChaPoly.open(key, nonce, sealed, 0, sealed.length, aad, opened, 0));
        assertArrayEquals(plaintext, opened);

        aad[0] ^= 1;
        assertFalse(XChaChaPoly.open(key, nonce, sealed, 0, sealed.length, aad, opened, 0));
    }
}
