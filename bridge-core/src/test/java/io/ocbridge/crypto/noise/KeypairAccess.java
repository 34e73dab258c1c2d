package io.ocbridge.crypto.noise;

/** Test-only bridge to tunnel-crypto's package-private Keypair hook, for bridge-core's in-memory tests. */
public final class KeypairAccess {
    private KeypairAccess() {}

    /** Makes {@code keypair}'s next send counter {@code counter} (unsigned). */
    public static void setSendCounter(Keypair keypair, long counter) {
        keypair.setSendCounterForTest(counter);
    }
}
