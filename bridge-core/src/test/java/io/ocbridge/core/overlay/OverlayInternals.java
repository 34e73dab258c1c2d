package io.ocbridge.core.overlay;

import java.net.InetAddress;
import java.util.function.LongSupplier;

/** Read-only views of an overlay's package-private bounded structures, for tests outside this package. */
public final class OverlayInternals {
    /** Sources the handshake rate limiter can hold at once. */
    public static final int RATE_LIMITER_CAPACITY = HandshakeRateLimiter.CAPACITY;

    private OverlayInternals() {}

    /** Makes {@code overlay} behave as if under load: every handshake must then carry a valid MAC2. */
    public static void forceUnderLoad(Overlay overlay, boolean underLoad) {
        overlay.forceUnderLoad(underLoad);
    }

    public static int indexTableSize(Overlay overlay) {
        return overlay.registry().indexTable().size();
    }

    /** A stand-alone handshake rate limiter, as each overlay holds one. */
    public static final class RateLimiter {
        private final HandshakeRateLimiter limiter;

        public RateLimiter(LongSupplier nanoClock) {
            limiter = new HandshakeRateLimiter(nanoClock);
        }

        public boolean allow(InetAddress source) { return limiter.allow(source); }
        public int size() { return limiter.size(); }
        public long tableFull() { return limiter.tableFull(); }
    }
}
