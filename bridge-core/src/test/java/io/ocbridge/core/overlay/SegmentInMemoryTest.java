package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentCounters.Event;
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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two overlays with one L2 segment each, frames carried as VXLAN through the memory network. */
@ExtendWith(NoLeaks.class)
class SegmentInMemoryTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final int VTEP_A = v4(10, 77, 0, 1);
    private static final int VTEP_B = v4(10, 77, 0, 2);
    private static final long MAC_A = 0x020000_00000aL;
    private static final long MAC_B = 0x020000_00000bL;
    private static final long BROADCAST = 0xffff_ffff_ffffL;

    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private Segment segA;
    private Segment segB;
    private final List<byte[]> tapA = new ArrayList<>();
    private final List<byte[]> tapB = new ArrayList<>();

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    @BeforeEach
    void setUp() {
        net = new MemoryNetwork();
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        Log log = Log.with("test");
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log);
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log);
        Peer bAtA = a.overlay.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B,
                List.of(Cidr.parse("10.77.0.2/32")), 0);
        Peer aAtB = b.overlay.addPeer("a", keyA.publicKey(), PresharedKey.zero(), ADDR_A,
                List.of(Cidr.parse("10.77.0.1/32")), 0);
        segA = segment(a.overlay, bAtA, VTEP_A, VTEP_B, tapA);
        segB = segment(b.overlay, aAtB, VTEP_B, VTEP_A, tapB);
    }

    private Segment segment(Overlay overlay, Peer peer, int local, int remote, List<byte[]> tap) {
        Segment segment = new Segment(new SegmentSpec("lan", "lan", 100, local, overlay.mtuBytes(), 1330, 1310, 64,
                300_000_000_000L, SegmentOptions.DEFAULTS),
                List.of(new Segment.Member(peer, remote)), overlay.inside()::sendToPeer,
                frame -> {
                    byte[] copy = new byte[frame.readableBytes()];
                    frame.getBytes(frame.readerIndex(), copy);
                    tap.add(copy);
                    return true;
                },
                PooledByteBufAllocator.DEFAULT, net.nanos::get, Log.with("test"));
        overlay.addSegment(segment, local);
        return segment;
    }

    private static byte[] frame(long dst, long src, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(14 + payloadBytes);
        b.putShort((short) (dst >>> 32)).putInt((int) dst);
        b.putShort((short) (src >>> 32)).putInt((int) src);
        b.putShort((short) 0x88b5);  // local experimental ethertype: no MSS clamping applies
        for (int i = 0; i < payloadBytes; i++) {
            b.put((byte) (i * 7 + payloadBytes));
        }
        return b.array();
    }

    private static void fromTap(Segment segment, byte[] frame) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Segment.FRAME_HEADROOM + frame.length + 31);
        buf.setIndex(Segment.FRAME_HEADROOM, Segment.FRAME_HEADROOM);
        buf.writeBytes(frame);
        segment.onLocalFrame(buf);
    }

    /** Runs both overlays' ticks for {@code millis} of virtual time, delivering what they send. */
    private void pump(int millis) {
        for (int t = 0; t < millis; t += 20) {
            net.advanceMillis(20);
            a.overlay.tick();
            b.overlay.tick();
            net.deliverAll();
        }
    }

    private static List<byte[]> rarps(List<byte[]> tap) {
        return tap.stream().filter(f -> ((f[12] & 0xff) << 8 | (f[13] & 0xff)) == 0x8035).toList();
    }

    @Test
    void aPeerWhoseSessionStartsAfreshHearsOfEveryLocalMacButNotOnARekey() {
        long otherLocal = 0x020000_0000a2L;
        fromTap(segA, frame(BROADCAST, MAC_A, 46));
        fromTap(segA, frame(BROADCAST, otherLocal, 46));
        net.deliverAll();
        pump(100);
        assertEquals(2, rarps(tapB).size(), "a first session: B hears of both local MACs");

        tapB.clear();
        a.overlay.start();
        b.overlay.start();     // both have their session: nobody to contact
        net.advanceMillis(10_000);
        b.overlay.standBy();   // the other gateway of B's pair takes over with the same key: A's session is 10 s old
        b.overlay.activate();
        net.deliverAll();
        pump(100);
        List<byte[]> announced = rarps(tapB);
        assertEquals(2, announced.size(), "the session replaced a young one: announced again");
        assertEquals(4, segA.counters().get(Event.MAC_ANNOUNCED));
        byte[] rarp = announced.getFirst();
        assertEquals(60, rarp.length);
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1}, java.util.Arrays.copyOf(rarp, 6), "broadcast");
        assertTrue(java.util.Arrays.equals(rarp, 6, 12, rarp, 22, 28), "source MAC = sender hardware address");
        assertEquals(2, segB.macTableSize(), "B learned both MACs behind A from the announcements");

        tapB.clear();
        net.advanceMillis(121_000);  // B initiated the last session: it rekeys on its next send, on schedule
        fromTap(segB, frame(BROADCAST, MAC_B, 46));
        net.deliverAll();
        pump(100);
        assertEquals(0, rarps(tapB).size(), "a scheduled rekey announces nothing");
        assertEquals(4, segA.counters().get(Event.MAC_ANNOUNCED));
    }

    @Test
    void remoteMacsHeardOnTheLanAndFramesReadOnStandbyAreNotAnnounced() {
        fromTap(segB, frame(BROADCAST, MAC_B, 46));
        net.deliverAll();
        pump(100);
        fromTap(segA, frame(BROADCAST, MAC_B, 46));   // B's host heard on A's LAN: a loop, or another gateway's flood
        a.overlay.start();
        b.overlay.start();
        a.overlay.standBy();
        fromTap(segA, frame(BROADCAST, 0x020000_0000c1L, 46));  // the LAN as a standby hears it
        tapA.clear();
        tapB.clear();
        net.advanceMillis(10_000);
        a.overlay.activate();
        net.deliverAll();
        pump(100);
        assertEquals(0, segA.localMacCount(), "neither a remote MAC nor one heard while standby is local");
        assertEquals(0, rarps(tapB).size());
        assertEquals(1, rarps(tapA).size(), "B still announces its own host to A, whose session started afresh");
    }

    @Test
    void broadcastCrossesAndTheReplyIsUnicastToTheLearnedPeer() {
        byte[] request = frame(BROADCAST, MAC_A, 46);
        fromTap(segA, request);
        net.deliverAll();
        assertEquals(1, tapB.size());
        assertArrayEquals(request, tapB.get(0));
        assertEquals(1, segB.macTableSize(), "B learned A's MAC behind peer a");

        byte[] reply = frame(MAC_A, MAC_B, 46);
        fromTap(segB, reply);
        net.deliverAll();
        assertEquals(1, tapA.size());
        assertArrayEquals(reply, tapA.get(0));
        assertEquals(1, segB.counters().get(Event.UNICAST));
        assertEquals(0, b.deviceWrites.size() + a.deviceWrites.size(), "VXLAN never reaches the TUN device");
    }

    @Test
    void fullSizeFramesAreFragmentedAndReassembled() {
        byte[] big = frame(BROADCAST, MAC_A, 1500);
        fromTap(segA, big);
        net.deliverAll();
        assertEquals(1, segA.counters().get(Event.FRAGMENTED));
        assertEquals(1, tapB.size());
        assertArrayEquals(big, tapB.get(0));
        for (MemoryNetwork.Sent sent : net.capture) {
            assertTrue(sent.bytes().length <= 1420 + 32, "every datagram fits the overlay MTU: " + sent.bytes().length);
        }
    }

    @Test
    void manyFramesArriveInOrderAndIntact() {
        fromTap(segA, frame(BROADCAST, MAC_A, 46));  // session first: at most 128 frames wait for a handshake
        net.deliverAll();
        tapB.clear();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] f = frame(MAC_B, MAC_A, 46 + (i * 37) % 1455);
            sent.add(f);
            fromTap(segA, f);
        }
        net.deliverAll();
        assertEquals(sent.size(), tapB.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), tapB.get(i), "frame " + i);
        }
    }

    @Test
    void runtFramesAreDroppedAndCounted() {
        fromTap(segA, new byte[10]);
        assertEquals(1, segA.counters().get(Event.DROP_MALFORMED));
        net.deliverAll();
        assertEquals(0, tapB.size());
    }
}
