package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.ipv4;
import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every stage that can throw on the way through the overlay (socket send, device write, TAP write) throws once: the
 * packet is lost and counted as an internal error, no buffer leaks (paranoid leak detection, {@link NoLeaks}), none is
 * released twice (Netty would throw), and the next packet goes through.
 */
@ExtendWith(NoLeaks.class)
class BufferOwnershipTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int HOST_A = v4(172, 16, 1, 10);
    private static final int HOST_B = v4(172, 16, 2, 10);

    private final MemoryNetwork net = new MemoryNetwork();
    private final MemoryNetwork.Node a = net.node(ADDR_A);
    private final MemoryNetwork.Node b = net.node(ADDR_B);
    private Peer bAtA;
    private Peer aAtB;

    @BeforeEach
    void setUp() {
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        Log log = Log.with("test");
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log);
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log);
        bAtA = a.overlay.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B,
                List.of(Cidr.parse("10.77.0.2/32"), Cidr.parse("172.16.2.0/24")), 0);
        aAtB = b.overlay.addPeer("a", keyA.publicKey(), PresharedKey.zero(), ADDR_A,
                List.of(Cidr.parse("10.77.0.1/32"), Cidr.parse("172.16.1.0/24")), 0);
    }

    @AfterEach
    void close() {
        net.closeAll();
    }

    @Test
    void aDeviceWriteThatThrowsCostsOnePacketAndNoBuffer() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 100, 1));
        net.deliverAll();
        b.deviceThrows = true;
        a.fromDevice(ipv4(HOST_A, HOST_B, 100, 2));
        net.deliverAll();
        assertEquals(1, b.overlay.drops().get(DropReason.INTERNAL_ERROR));
        b.deviceThrows = false;
        byte[] next = ipv4(HOST_A, HOST_B, 100, 3);
        a.fromDevice(next);
        net.deliverAll();
        assertEquals(2, b.deviceWrites.size());
        assertArrayEquals(next, b.deviceWrites.getLast());
    }

    @Test
    void aSocketSendThatThrowsCostsOnePacketAndNoBuffer() {
        a.fromDevice(ipv4(HOST_A, HOST_B, 100, 1));
        net.deliverAll();
        a.transportSendThrows = true;
        a.fromDevice(ipv4(HOST_A, HOST_B, 100, 2));   // straight from the device
        b.fromDevice(ipv4(HOST_B, HOST_A, 100, 3));   // and as a reply's keepalive path: B's packet arrives at A
        net.deliverAll();
        assertEquals(1, a.overlay.drops().get(DropReason.INTERNAL_ERROR));
        a.transportSendThrows = false;
        a.fromDevice(ipv4(HOST_A, HOST_B, 100, 4));
        net.deliverAll();
        assertEquals(2, b.deviceWrites.size());
        assertEquals(1, a.deviceWrites.size());
    }

    @Test
    void aTapWriteThatThrowsCostsOneFrameAndNoBuffer() {
        boolean[] tapThrows = {false};
        int[] tapFrames = {0};
        Segment segB = new Segment(new SegmentSpec("lan", "lan", 100, v4(10, 77, 0, 2), 1420, 1330, 1310, 64,
                300_000_000_000L, SegmentOptions.DEFAULTS),
                List.of(new Segment.Member(aAtB, v4(10, 77, 0, 1))), b.overlay.inside()::sendToPeer,
                frame -> {
                    if (tapThrows[0]) {
                        throw new IllegalStateException("injected: TAP write failed");
                    }
                    tapFrames[0]++;
                    return true;
                },
                PooledByteBufAllocator.DEFAULT, net.nanos::get, Log.with("test"));
        b.overlay.addSegment(segB, v4(10, 77, 0, 2));
        Segment segA = new Segment(new SegmentSpec("lan", "lan", 100, v4(10, 77, 0, 1), 1420, 1330, 1310, 64,
                300_000_000_000L, SegmentOptions.DEFAULTS),
                List.of(new Segment.Member(bAtA, v4(10, 77, 0, 2))), a.overlay.inside()::sendToPeer,
                frame -> true,
                PooledByteBufAllocator.DEFAULT, net.nanos::get, Log.with("test"));
        a.overlay.addSegment(segA, v4(10, 77, 0, 1));
        fromTap(segA, 1);
        net.deliverAll();
        tapThrows[0] = true;
        fromTap(segA, 2);
        net.deliverAll();
        assertEquals(1, b.overlay.drops().get(DropReason.INTERNAL_ERROR));
        tapThrows[0] = false;
        fromTap(segA, 3);
        net.deliverAll();
        assertEquals(2, tapFrames[0]);
    }

    /** A broadcast frame from the TAP of {@code segment}, as the TAP reader hands it over (headroom reserved). */
    private static void fromTap(Segment segment, int seed) {
        ByteBuf frame = PooledByteBufAllocator.DEFAULT.directBuffer(Segment.FRAME_HEADROOM + 64 + 31);
        frame.setIndex(Segment.FRAME_HEADROOM, Segment.FRAME_HEADROOM);
        frame.writeShort(0xffff).writeInt(0xffffffff).writeShort(0x0200).writeInt(seed).writeShort(0x88b5);
        frame.writeZero(46);
        segment.onLocalFrame(frame);
    }
}
