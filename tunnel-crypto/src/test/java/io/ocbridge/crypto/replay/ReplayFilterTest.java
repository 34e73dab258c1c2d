package io.ocbridge.crypto.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.crypto.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayFilterTest {

    private static final long WINDOW = ReplayFilter.WINDOW_SIZE;
    private static final long LIMIT = Protocol.REJECT_AFTER_MESSAGES;

    private final ReplayFilter filter = new ReplayFilter();

    @Test
    void windowIsWireguardGos() {
        assertEquals(8128, WINDOW);
    }

    @Test
    void inOrderAcceptedOnceDuplicatesRejected() {
        for (long i = 0; i < 20_000; i++) {
            assertTrue(filter.validateCounter(i, LIMIT));
            assertFalse(filter.validateCounter(i, LIMIT));
        }
    }

    @Test
    void farBehindIsRejectedEvenIfNeverSeen() {
        assertTrue(filter.validateCounter(100_000, LIMIT));
        assertFalse(filter.validateCounter(100_000 - WINDOW - 1, LIMIT));
        assertTrue(filter.validateCounter(100_000 - WINDOW, LIMIT));
        assertFalse(filter.validateCounter(0, LIMIT));
    }

    @Test
    void jumpAheadThenOlderOnesInsideTheWindowAreAccepted() {
        assertTrue(filter.validateCounter(0, LIMIT));
        assertTrue(filter.validateCounter(5000, LIMIT));
        for (long i = 4999; i > 0; i--) {
            assertTrue(filter.validateCounter(i, LIMIT), "counter " + i);
        }
        assertFalse(filter.validateCounter(17, LIMIT));
        // A jump past the whole ring clears it: old bits must not shadow new counters.
        assertTrue(filter.validateCounter(5000 + 64 * 128 * 3, LIMIT));
        assertTrue(filter.validateCounter(5000 + 64 * 128 * 3 - 64 * 128 + 64, LIMIT));
    }

    @Test
    void limitBoundaryIsUnsigned() {
        assertTrue(filter.validateCounter(LIMIT - 1, LIMIT));
        assertFalse(filter.validateCounter(LIMIT, LIMIT));
        assertFalse(filter.validateCounter(-1L, LIMIT));
        assertFalse(filter.validateCounter(LIMIT - 1, LIMIT));
        assertTrue(filter.validateCounter(LIMIT - 2, LIMIT));
    }

    @Test
    void resetForgetsEverything() {
        assertTrue(filter.validateCounter(1_000_000, LIMIT));
        filter.reset();
        assertTrue(filter.validateCounter(0, LIMIT));
        assertTrue(filter.validateCounter(1_000_000, LIMIT));
    }

    /**
     * Port of the Linux kernel's selftest (drivers/net/wireguard/selftest/counter.c) as wireguard-go
     * runs it: with its limit 2^64 - 2^4 - 1, and with ours.
     */
    @ParameterizedTest
    @ValueSource(longs = {-1L - (1L << 4), -1L - (1L << 13)})
    void kernelSelftestCounterCases(long limit) {
        final long lim = WINDOW + 1;
        Checker t = new Checker(limit);
        t.check(0, true);                      /*  1 */
        t.check(1, true);                      /*  2 */
        t.check(1, false);                     /*  3 */
        t.check(9, true);                      /*  4 */
        t.check(8, true);                      /*  5 */
        t.check(7, true);                      /*  6 */
        t.check(7, false);                     /*  7 */
        t.check(lim, true);                    /*  8 */
        t.check(lim - 1, true);                /*  9 */
        t.check(lim - 1, false);               /* 10 */
        t.check(lim - 2, true);                /* 11 */
        t.check(2, true);                      /* 12 */
        t.check(2, false);                     /* 13 */
        t.check(lim + 16, true);               /* 14 */
        t.check(3, false);                     /* 15 */
        t.check(lim + 16, false);              /* 16 */
        t.check(lim * 4, true);                /* 17 */
        t.check(lim * 4 - (lim - 1), true);    /* 18 */
        t.check(10, false);                    /* 19 */
        t.check(lim * 4 - lim, false);         /* 20 */
        t.check(lim * 4 - (lim + 1), false);   /* 21 */
        t.check(lim * 4 - (lim - 2), true);    /* 22 */
        t.check(lim * 4 + 1 - lim, false);     /* 23 */
        t.check(0, false);                     /* 24 */
        t.check(limit, false);                 /* 25 */
        t.check(limit - 1, true);              /* 26 */
        t.check(limit, false);                 /* 27 */
        t.check(limit - 1, false);             /* 28 */
        t.check(limit - 2, true);              /* 29 */
        t.check(limit + 1, false);             /* 30 */
        t.check(limit + 2, false);             /* 31 */
        t.check(limit - 2, false);             /* 32 */
        t.check(limit - 3, true);              /* 33 */
        t.check(0, false);                     /* 34 */

        t = new Checker(limit);
        for (long i = 1; i <= WINDOW; i++) {
            t.check(i, true);
        }
        t.check(0, true);
        t.check(0, false);

        t = new Checker(limit);
        for (long i = 2; i <= WINDOW + 1; i++) {
            t.check(i, true);
        }
        t.check(1, true);
        t.check(0, false);

        t = new Checker(limit);
        for (long i = WINDOW + 1; i > 0; i--) {
            t.check(i, true);
        }

        t = new Checker(limit);
        for (long i = WINDOW + 2; i > 1; i--) {
            t.check(i, true);
        }
        t.check(0, false);

        t = new Checker(limit);
        for (long i = WINDOW; i > 0; i--) {
            t.check(i, true);
        }
        t.check(WINDOW + 1, true);
        t.check(0, false);

        t = new Checker(limit);
        for (long i = WINDOW; i > 0; i--) {
            t.check(i, true);
        }
        t.check(0, true);
        t.check(WINDOW + 1, true);
    }

    private static final class Checker {
        private final ReplayFilter filter = new ReplayFilter();
        private final long limit;
        private int number;

        Checker(long limit) {
            this.limit = limit;
        }

        void check(long counter, boolean expected) {
            number++;
            assertEquals(expected, filter.validateCounter(counter, limit),
                    "case " + number + ": counter " + Long.toUnsignedString(counter));
        }
    }
}
