package io.ocbridge.crypto.keys;

import io.ocbridge.crypto.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** The `wg` key text format: standard base64 of exactly 32 bytes, 44 characters, canonical. */
final class KeyEncoding {

    static final int ENCODED_LENGTH = 44;

    private KeyEncoding() {
    }

    static byte[] decode(String s) throws KeyFormatException {
        if (s == null || s.length() != ENCODED_LENGTH) {
            throw new KeyFormatException("not 32 bytes of base64: must be exactly 44 characters");
        }
        byte[] text = s.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return decode(text);
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }

    /** As {@link #decode(String)}, from the key's text as bytes, with no String of it made; the caller zeroes it. */
    static byte[] decode(byte[] text) throws KeyFormatException {
        if (text.length != ENCODED_LENGTH) {
            throw new KeyFormatException("not 32 bytes of base64: must be exactly 44 characters");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("not 32 bytes of base64: illegal character or padding");
        }
        // The JDK decoder ignores the unused low bits of the last symbol; `wg` rejects them.
        byte[] again = key.length == Protocol.KEY_SIZE ? Base64.getEncoder().encode(key) : new byte[0];
        boolean canonical = Arrays.equals(again, text);
        Arrays.fill(again, (byte) 0);
        if (!canonical) {
            Arrays.fill(key, (byte) 0);
            throw new KeyFormatException("not 32 bytes of base64: non-canonical encoding");
        }
        return key;
    }

    static String encode(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
