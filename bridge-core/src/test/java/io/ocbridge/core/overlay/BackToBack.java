package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.Ipv4Packets;
import io.ocbridge.core.testing.MemoryOverlayIo;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;

/**
 * Two overlays, site A (10.77.0.1) and site B (10.77.0.2), wired back to back in memory on the real clocks, for
 * measuring the data path: datagrams wait in a fixed ring (nothing allocated per datagram) until {@link #deliver},
 * device writes at B are counted. Shared with {@code benchmarks} (bridge-core's test-jar). One thread at a time.
 */
public final class BackToBack implements AutoCloseable {
    public static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    public static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int RING = 64;  // a power of two: slots are counters masked, which survive overflow

    private final ByteBuf[] datagrams = new ByteBuf[RING];
    private final InetSocketAddress[] sources = new InetSocketAddress[RING];
    private int head;
    private int tail;
    private final MemoryOverlayIo ioB = io(ADDR_B);
    private final Overlay a;
    private final Overlay b;
    private final Peer bAtA;
    private final Peer aAtB;

    public BackToBack(int mtuBytes) {
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        Log log = Log.with("back-to-back");
        a = new Overlay("corp", mtuBytes, new LocalIdentity(keyA), io(ADDR_A), System::nanoTime, Clock.systemUTC(), log);
        b = new Overlay("corp", mtuBytes, new LocalIdentity(keyB), ioB, System::nanoTime, Clock.systemUTC(), log);
        bAtA = a.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B, List.of(Cidr.parse("10.77.0.2/32")), 0);
        aAtB = b.addPeer("a", keyA.publicKey(), PresharedKey.zero(), ADDR_A, List.of(Cidr.parse("10.77.0.1/32")), 0);
    }

    /** An IPv4 UDP packet of {@code bytes} (at least 28) from A's address to B's, zero payload. */
    public static byte[] packetFromAToB(int bytes) {
        return Ipv4Packets.packet(Ipv4Packets.UDP, 0x0a4d_0001, 0x0a4d_0002, 0, 0, new byte[bytes - 20]);
    }

    /** Feeds {@code ipPacket} to A's Inside as its device reader would (pooled buffer, headroom), then delivers. */
    public void sendFromA(byte[] ipPacket) {
        MemoryOverlayIo.fromDevice(a, ipPacket);
        deliver();
    }

    /** Hands every waiting datagram (and those it causes) to the other site's Outside. */
    public void deliver() {
        while (head != tail) {
            int slot = head++ & (RING - 1);
            ByteBuf datagram = datagrams[slot];
            InetSocketAddress source = sources[slot];
            datagrams[slot] = null;
            Overlay target = source.equals(ADDR_A) ? b : a;
            target.outside().onDatagram(datagram, source);
            target.processHandshakes();
        }
    }

    public long deviceWritesAtB() {
        return ioB.deviceWriteCount;
    }

    /** A's peer entry for B (its current keypair seals what A sends). */
    public Peer bAtA() {
        return bAtA;
    }

    /** B's peer entry for A (its current keypair opens it). */
    public Peer aAtB() {
        return aAtB;
    }

    @Override
    public void close() {
        deliver();
        a.close();
        b.close();
    }

    /** A site's I/O: datagrams wait in the ring, tagged with their source; device writes are counted. */
    private MemoryOverlayIo io(InetSocketAddress self) {
        return new MemoryOverlayIo((datagram, recipient) -> {
            if (tail - head == RING) {
                throw new IllegalStateException(RING + " datagrams in flight: deliver() was not called");
            }
            int slot = tail++ & (RING - 1);
            datagrams[slot] = datagram;
            sources[slot] = self;
        });
    }
}
