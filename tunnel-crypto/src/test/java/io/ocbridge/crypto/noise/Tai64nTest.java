package io.ocbridge.crypto.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Tai64nTest {

    @Test
    void layoutIsBigEndianSecondsWithTai64LabelThenWhitenedNanos() {
        Instant t = Instant.ofEpochSecond(0x01020304L, 0x0abcdef1);
        byte[] stamp = Tai64n.now(Clock.fixed(t, ZoneOffset.UTC));
        // 2^62 + 10 + seconds; nanos with the low 24 bits cleared.
        assertEquals("400000000102030e" + "0a000000", HexFormat.of().formatHex(stamp));
    }

    @Test
    void laterInstantsCompareGreater() {
        byte[] a = Tai64n.now(Clock.fixed(Instant.ofEpochSecond(1000, 0), ZoneOffset.UTC));
        byte[] b = Tai64n.now(Clock.fixed(Instant.ofEpochSecond(1000, 900_000_000), ZoneOffset.UTC));
        byte[] c = Tai64n.now(Clock.fixed(Instant.ofEpochSecond(1001, 0), ZoneOffset.UTC));
        assertTrue(Tai64n.after(b, a));
        assertTrue(Tai64n.after(c, b));
        assertFalse(Tai64n.after(a, a));
        assertFalse(Tai64n.after(a, c));
        assertTrue(Tai64n.after(a, new byte[12]));
    }
}
