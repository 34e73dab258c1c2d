package io.ocbridge.core.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.Allocations;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A packet through the whole overlay (A's Inside: route, pad, seal; B's Outside: open, replay window, source check,
 * device write) allocates what the JDK's ChaCha20-Poly1305 allocates for one seal and one open, and nothing more:
 * both are measured here, the same way, on an event-loop-like thread.
 */
class OverlayAllocationTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int ROUNDS = 20_000;
    private static final int TRIES = 3;
    private static final int PACKET_BYTES = 1420;

    /** Wires two overlays back to back through a fixed ring (no allocation per datagram). */
    private static final class Wire {
        final Object[] datagrams = new Object[64];
        final InetSocketAddress[] from = new InetSocketAddress[64];
        int head;
        int tail;
        Overlay a;
        Overlay b;
        long deviceWritesAtB;

        OverlayIo io(InetSocketAddress self) {
            return new OverlayIo() {
                @Override
                public boolean send(ByteBuf datagram, InetSocketAddress recipient) {
                    datagrams[tail & 63] = datagram;
                    from[tail & 63] = self;
                    tail++;
                    return true;
                }

                @Override
                public void flush() {}

                @Override
                public boolean writeToDevice(ByteBuf packet) {
                    if (self.equals(ADDR_B)) {
                        deviceWritesAtB++;
                    }
                    return true;
                }

                @Override
                public ByteBufAllocator alloc() {
                    return PooledByteBufAllocator.DEFAULT;
                }
            };
        }

        void deliver() {
            while (head != tail) {
                ByteBuf datagram = (ByteBuf) datagrams[head & 63];
                InetSocketAddress source = from[head & 63];
                datagrams[head & 63] = null;
                head++;
                (source.equals(ADDR_A) ? b : a).outside().onDatagram(datagram, source);
            }
        }
    }

    @Test
    void theOverlayAddsNothingToTheAeadsOwnAllocation() {
        Wire wire = new Wire();
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        Log log = Log.with("test");
        wire.a = new Overlay("corp", 1420, new LocalIdentity(keyA), wire.io(ADDR_A), System::nanoTime, Clock.systemUTC(), log);
        wire.b = new Overlay("corp", 1420, new LocalIdentity(keyB), wire.io(ADDR_B), System::nanoTime, Clock.systemUTC(), log);
        wire.a.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B, List.of(Cidr.parse("10.77.0.2/32")), 0);
        var peerAtB = wire.b.addPeer("a", keyA.publicKey(), PresharedKey.zero(), ADDR_A, List.of(Cidr.parse("10.77.0.1/32")), 0);
        byte[] packet = Packets.ipv4(Packets.v4(10, 77, 0, 1), Packets.v4(10, 77, 0, 2), PACKET_BYTES - 28, 1);
        Runnable sendOne = () -> {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(PacketLayout.capacityFor(1420));
            buf.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM).writeBytes(packet);
            wire.a.inside().onDevicePacket(buf);
            wire.deliver();
        };
        try {
            long overlay = Allocations.leastAllocatedBy(ROUNDS, TRIES, sendOne);
            assertEquals(2L * ROUNDS * TRIES, wire.deviceWritesAtB, "every packet reached B's device");

            // The JDK's part, measured alone: one seal by A's session and one open by B's, on arrays as the path does.
            Keypair sender = wire.a.peers().getFirst().keypairs().current();
            Keypair receiver = peerAtB.keypairs().current();
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
        } finally {
            wire.deliver();
            wire.a.close();
            wire.b.close();
        }
    }
}
