package io.ocbridge.crypto.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Blake2sTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] range(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void rfc7693AppendixBAbc() {
        assertEquals("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
                HEX.formatHex(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void hashOfPartsEqualsHashOfConcatenation() {
        assertEquals(HEX.formatHex(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))),
                HEX.formatHex(Blake2s.hash(new byte[] {'a'}, new byte[0], new byte[] {'b', 'c'})));
    }

    @Test
    void keyedMacMatchesReferenceImplementation() {
        // Python hashlib.blake2s(b"abc", key=bytes(range(32)), digest_size=16)
        byte[] out = new byte[16];
        Blake2s.mac(range(32), "abc".getBytes(StandardCharsets.US_ASCII), 0, 3, out, 0);
        assertEquals("61ba5f165c194692e09d12520cc4c74a", HEX.formatHex(out));
    }

    @Test
    void macOverHeapAndDirectBuffersAgreesWithArrays() {
        byte[] data = range(100);
        byte[] expected = new byte[16];
        Blake2s.mac(range(32), data, 10, 80, expected, 0);
        for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.wrap(data), ByteBuffer.allocateDirect(100).put(data)}) {
            byte[] out = new byte[16];
            Blake2s.mac(range(32), buf, 10, 80, out, 0);
            assertEquals(HEX.formatHex(expected), HEX.formatHex(out));
        }
        // A heap slice with a non-zero array offset.
        ByteBuffer slice = ByteBuffer.wrap(data).position(10).slice();
        byte[] out = new byte[16];
        Blake2s.mac(range(32), slice, 0, 80, out, 0);
        assertEquals(HEX.formatHex(expected), HEX.formatHex(out));
    }
}
