package io.ocbridge.crypto.noise;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.aead.TransportCipher;
import io.ocbridge.crypto.replay.ReplayFilter;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Transport keys of one session, as produced by a completed handshake. The sending side
 * ({@link #nextSendCounter}, {@link #seal}) and the receiving side ({@link #open},
 * {@link #acceptCounter}) each have one owner thread; they may be different threads.
 */
public final class Keypair {

    private final TransportCipher sendCipher;
    private final TransportCipher receiveCipher;
    private final ReplayFilter replayFilter = new ReplayFilter();
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos;
    private long sendCounter;
    private volatile boolean destroyed;

    /** Takes ownership of the key arrays and zeroes them once copied into the ciphers. */
    Keypair(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator,
            long createdNanos) {
        this.sendCipher = new TransportCipher(sendKey, true);
        this.receiveCipher = new TransportCipher(receiveKey, false);
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
        this.createdNanos = createdNanos;
    }

    /** The index we chose; the peer puts it in the receiver field of messages to us. */
    public int localIndex() {
        return localIndex;
    }

    /** The index the peer chose; we put it in the receiver field of messages to the peer. */
    public int remoteIndex() {
        return remoteIndex;
    }

    public boolean isInitiator() {
        return initiator;
    }

    public long createdNanos() {
        return createdNanos;
    }

    /**
     * The next send counter, or -1 once {@link Protocol#REJECT_AFTER_MESSAGES} are used up. Counters
     * are unsigned: test the result with {@code == -1}, not {@code < 0}.
     */
    public long nextSendCounter() {
        if (Long.compareUnsigned(sendCounter, Protocol.REJECT_AFTER_MESSAGES) >= 0) {
            return -1;
        }
        return sendCounter++;
    }

    /** How many counters have been handed out. */
    public long sendCounterPeek() {
        return sendCounter;
    }

    void setSendCounterForTest(long counter) {
        sendCounter = counter;
    }

    /**
     * Seals {@code plaintext.remaining()} bytes (already padded to 16) into {@code dst} as
     * ciphertext || tag and advances both; the two may view the same memory (in place).
     */
    public void seal(long counter, ByteBuffer plaintext, ByteBuffer dst) {
        requireLive();
        sendCipher.seal(counter, plaintext, dst);
    }

    /**
     * Opens ciphertext || tag ({@code src.remaining()} bytes) into {@code dst}; false if it does not
     * authenticate. Leaves the replay window alone: call {@link #acceptCounter} after success.
     */
    public boolean open(long counter, ByteBuffer src, ByteBuffer dst) {
        requireLive();
        return receiveCipher.open(counter, src, dst);
    }

    /** Seals {@code work[0, length)} in place as ciphertext || tag; returns {@code length + 16}. */
    public int sealInPlace(long counter, byte[] work, int length) {
        requireLive();
        return sendCipher.sealInPlace(counter, work, length);
    }

    /** Opens {@code work[0, length)} in place; the plaintext is {@code work[0, length - 16)}. See {@link #open}. */
    public boolean openInPlace(long counter, byte[] work, int length) {
        requireLive();
        return receiveCipher.openInPlace(counter, work, length);
    }

    /** Replay check and update; only for counters whose packet {@link #open} authenticated. */
    public boolean acceptCounter(long counter) {
        return replayFilter.validateCounter(counter, Protocol.REJECT_AFTER_MESSAGES);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Zeroes both keys; seal and open throw IllegalStateException afterwards. */
    public void destroy() {
        destroyed = true;
        sendCipher.destroy();
        receiveCipher.destroy();
    }

    private void requireLive() {
        if (destroyed) {
            throw new IllegalStateException("keypair destroyed");
        }
    }

    @Override
    public String toString() {
        return "Keypair[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", initiator=" + initiator + "]";
    }
}
