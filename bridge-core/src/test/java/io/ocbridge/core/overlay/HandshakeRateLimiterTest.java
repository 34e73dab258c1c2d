package io.ocbridge.core.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-source handshake limit on a virtual clock: burst 5, then 20/s; sources independent; table bounded. */
class HandshakeRateLimiterTest {
    private final ManualClock nanos = new ManualClock(5_000_000_000L);
    private final HandshakeRateLimiter limiter = new HandshakeRateLimiter(nanos::get);

    private static byte[] v4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static byte[] v6(long high, long low) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return out;
    }

    private int allowedOf(byte[] address, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.allow(address, address.length)) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void burstOfFiveThenOneEveryFiftyMillis() {
        byte[] source = v4(203, 0, 113, 7);
        assertEquals(5, allowedOf(source, 100), "burst at one instant");
        nanos.advanceNanos(49_000_000L);
        assertFalse(limiter.allow(source, 4), "49 ms is not yet one packet's cost");
        nanos.advanceNanos(1_000_000L);
        assertTrue(limiter.allow(source, 4), "50 ms buys one");
        assertFalse(limiter.allow(source, 4));
        nanos.advanceNanos(10_000_000_000L);
        assertEquals(5, allowedOf(source, 100), "idle refills to the burst, never beyond");
    }

    /** Offered rate against accepted rate over 10 virtual seconds: never more than burst + 20/s. */
    @ParameterizedTest(name = "{0} offered/s")
    @CsvSource({"10, 100", "20, 200", "50, 204", "1000, 204"})
    void sustainedRateIsTwentyPerSecond(int offeredPerSecond, int expectedAllowed) {
        byte[] source = v4(198, 51, 100, 1);
        long step = 1_000_000_000L / offeredPerSecond;
        int allowed = 0;
        for (int i = 0; i < offeredPerSecond * 10; i++) {
            if (limiter.allow(source, 4)) {
                allowed++;
            }
            nanos.advanceNanos(step);
        }
        // 10 s at 20/s is 200, plus the initial burst headroom of 5 minus the packet that opened it.
        assertEquals(expectedAllowed, allowed);
    }

    @Test
    void distinctSourcesAreIndependent() {
        byte[] a = v4(192, 0, 2, 1);
        byte[] b = v4(192, 0, 2, 2);
        assertEquals(5, allowedOf(a, 20));
        assertEquals(5, allowedOf(b, 20), "another IPv4 address has its own bucket");
        byte[] sixA = v6(0x20010db800000001L, 1);
        byte[] sixB = v6(0x20010db800000002L, 1);
        assertEquals(5, allowedOf(sixA, 20));
        assertEquals(5, allowedOf(sixB, 20), "another /64 has its own bucket");
        assertEquals(4, limiter.size());
    }

    @Test
    void ipv6IsLimitedPerSlash64() {
        assertEquals(5, allowedOf(v6(0x20010db8_0000_0007L, 1), 20));
        for (long low = 2; low < 1_000; low++) {
            assertFalse(limiter.allow(v6(0x20010db8_0000_0007L, low), 16),
                    "every address of the /64 shares one bucket, as the kernel keys it");
        }
        assertEquals(1, limiter.size());
    }

    @Test
    void tableStaysBoundedUnderAMillionSpoofedSourcesAndDrainsWhenIdle() {
        byte[] address = new byte[4];
        for (int i = 0; i < 1_000_000; i++) {
            address[0] = (byte) (i >>> 24 | 0x40);
            address[1] = (byte) (i >>> 16);
            address[2] = (byte) (i >>> 8);
            address[3] = (byte) i;
            limiter.allow(address, 4);
            if (i % 1000 == 0) {
                nanos.advanceNanos(1_000_000L);   // 1M sources in one virtual second
                limiter.sweep();
            }
            assertTrue(limiter.size() <= HandshakeRateLimiter.CAPACITY);
        }
        System.out.printf("rate limiter: 1,000,000 spoofed sources, table %d of %d slots%n",
                limiter.size(), HandshakeRateLimiter.CAPACITY);
        assertTrue(limiter.size() > HandshakeRateLimiter.CAPACITY / 2, "the table was used: " + limiter.size());

        nanos.advanceNanos(HandshakeRateLimiter.IDLE_NANOS);
        limiter.sweep();
        assertEquals(0, limiter.size(), "idle entries are collected on the tick");
        assertEquals(5, allowedOf(v4(192, 0, 2, 99), 20), "a legitimate source afterwards gets its full burst");
    }

    @Test
    void spentSourcesAreNotEvictedByNewOnes() {
        // Fill the table with sources that are still spending, then check the first keeps its state.
        byte[] first = v4(10, 0, 0, 1);
        assertEquals(5, allowedOf(first, 5));
        byte[] other = new byte[4];
        for (int i = 0; i < 100_000; i++) {
            other[0] = 100;
            other[1] = (byte) (i >>> 16);
            other[2] = (byte) (i >>> 8);
            other[3] = (byte) i;
            limiter.allow(other, 4);
        }
        assertFalse(limiter.allow(first, 4), "a flood of new sources does not reset a spent bucket");
    }
}
