package io.ocbridge.core.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.testing.Allocations;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.noise.Keypair;
import org.junit.jupiter.api.Test;

/**
 * A packet through the whole overlay (A's Inside: route, pad, seal; B's Outside: open, replay window, source check,
 * device write) allocates what the JDK's ChaCha20-Poly1305 allocates for one seal and one open, and nothing more:
 * both are measured here, the same way, on an event-loop-like thread.
 */
class OverlayAllocationTest {
    private static final int ROUNDS = 20_000;
    private static final int TRIES = 3;
    private static final int PACKET_BYTES = 1420;

    @Test
    void theOverlayAddsNothingToTheAeadsOwnAllocation() {
        try (BackToBack sites = new BackToBack(1420)) {
            byte[] packet = BackToBack.packetFromAToB(PACKET_BYTES);
            long overlay = Allocations.leastAllocatedBy(ROUNDS, TRIES, () -> sites.sendFromA(packet));
            assertEquals(2L * ROUNDS * TRIES, sites.deviceWritesAtB(), "every packet reached B's device");

            // The JDK's part, measured alone: one seal by A's session and one open by B's, on arrays as the path does.
            Keypair sender = sites.bAtA().keypairs().current();
            Keypair receiver = sites.aAtB().keypairs().current();
            int padded = PacketLayout.paddedLength(PACKET_BYTES, 1420);
            byte[] work = new byte[padded + Protocol.TAG_SIZE];
            long aead = Allocations.leastAllocatedBy(ROUNDS, TRIES, () -> {
                long counter = sender.nextSendCounter();
                int sealed = sender.sealInPlace(counter, work, padded);
                receiver.openInPlace(counter, work, sealed);
            });
            double perPacket = overlay / (double) ROUNDS;
            double aeadPerPacket = aead / (double) ROUNDS;
            System.out.printf("OverlayAllocationTest: %.1f B per %d-byte packet through the overlay; the JDK AEAD's seal "
                    + "+ open alone %.1f B%n", perPacket, PACKET_BYTES, aeadPerPacket);
            assertTrue(perPacket - aeadPerPacket < 16, "the overlay allocates " + (perPacket - aeadPerPacket)
                    + " B per packet beyond the AEAD (16 B would be one object)");
        }
    }
}
