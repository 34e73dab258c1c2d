package io.ocbridge.crypto.noise;

import io.ocbridge.crypto.Protocol;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps: 8 bytes big-endian seconds (TAI64 label 2^62 + 10, as wireguard-go and the
 * kernel write it), 4 bytes big-endian nanoseconds. The responder only compares our own stamps with
 * each other, so it only has to increase; byte-wise comparison orders them.
 */
final class Tai64n {

    private static final long BASE = 0x400000000000000aL;
    /** Round nanos down to ~16.8 ms, like WireGuard, so timestamps leak less about our clock. */
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {
    }

    static byte[] now(Clock clock) {
        Instant t = clock.instant();
        byte[] out = new byte[Protocol.TIMESTAMP_SIZE];
        long seconds = BASE + t.getEpochSecond();
        int nanos = t.getNano() & ~WHITENER_MASK;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (seconds >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
        return out;
    }

    /** True if {@code a} is strictly later than {@code b}. */
    static boolean after(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) > 0;
    }
}
