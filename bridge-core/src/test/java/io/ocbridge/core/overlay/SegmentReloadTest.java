package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.ocbridge.core.testing.Frames;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Segments added, changed and removed on running overlays, as a reload does it: gateway A with peers B and C, segment
 * {@code lan} (VNI 100) between A and B throughout. Every frame on {@code lan} arrives, and A's session with B is the
 * same object from start to end.
 */
@ExtendWith(NoLeaks.class)
class SegmentReloadTest {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    private static final InetSocketAddress ADDR_C = new InetSocketAddress("192.0.2.3", 51820);
    private static final int VTEP_A = v4(10, 77, 0, 1);
    private static final int VTEP_B = v4(10, 77, 0, 2);
    private static final int VTEP_C = v4(10, 77, 0, 3);
    private static final long MAC_A = 0x020000_00000aL;
    private static final long MAC_B = 0x020000_00000bL;
    private static final long BROADCAST = 0xffff_ffff_ffffL;
    private static final int LAN = 100;
    private static final int LAB = 200;

    private MemoryNetwork net;
    private MemoryNetwork.Node a;
    private MemoryNetwork.Node b;
    private MemoryNetwork.Node c;
    private Peer bAtA;
    private Peer cAtA;
    private Peer aAtB;
    private Peer aAtC;
    private Segment lanA;
    private Segment lanB;
    private final List<byte[]> lanTapA = new ArrayList<>();
    private final List<byte[]> lanTapB = new ArrayList<>();
    private final List<byte[]> labTapA = new ArrayList<>();
    private final List<byte[]> labTapB = new ArrayList<>();
    private final List<byte[]> labTapC = new ArrayList<>();
    private int lanSent;

    @BeforeEach
    void setUp() {
        net = new MemoryNetwork();
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        PrivateKey keyC = PrivateKey.generate();
        a = net.node(ADDR_A);
        b = net.node(ADDR_B);
        c = net.node(ADDR_C);
        Log log = Log.with("test");
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, net.nanos::get, net.wallClock, log);
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, net.nanos::get, net.wallClock, log);
        c.overlay = new Overlay("corp", 1420, new LocalIdentity(keyC), c, net.nanos::get, net.wallClock, log);
        bAtA = a.overlay.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B, List.of(Cidr.parse("10.77.0.2/32")), 0);
        cAtA = a.overlay.addPeer("c", keyC.publicKey(), PresharedKey.zero(), ADDR_C, List.of(Cidr.parse("10.77.0.3/32")), 0);
        aAtB = b.overlay.addPeer("a", keyA.publicKey(), PresharedKey.zero(), null, List.of(Cidr.parse("10.77.0.1/32")), 0);
        aAtC = c.overlay.addPeer("a", keyA.publicKey(), PresharedKey.zero(), null, List.of(Cidr.parse("10.77.0.1/32")), 0);
        lanA = segment(a.overlay, "lan", LAN, VTEP_A, SegmentOptions.DEFAULTS, List.of(new Segment.Member(bAtA, VTEP_B)),
                lanTapA);
        lanB = segment(b.overlay, "lan", LAN, VTEP_B, SegmentOptions.DEFAULTS, List.of(new Segment.Member(aAtB, VTEP_A)),
                lanTapB);
        a.overlay.start();
        b.overlay.start();
        c.overlay.start();
        net.deliverAll();
        lanFrame();
    }

    @AfterEach
    void closeOverlays() {
        net.closeAll();
    }

    private Segment segment(Overlay overlay, String name, int vni, int local, SegmentOptions options,
            List<Segment.Member> members, List<byte[]> tap) {
        Segment segment = new Segment(spec(name, vni, local, options, 64), members, overlay.inside()::sendToPeer,
                frame -> {
                    byte[] copy = new byte[frame.readableBytes()];
                    frame.getBytes(frame.readerIndex(), copy);
                    tap.add(copy);
                    return true;
                }, PooledByteBufAllocator.DEFAULT, net.nanos::get, Log.with("test"));
        overlay.addSegment(segment, local);
        return segment;
    }

    private static SegmentSpec spec(String name, int vni, int local, SegmentOptions options, int macTableSize) {
        return new SegmentSpec(name, name, vni, local, 1420, 1330, 1310, macTableSize, 300_000_000_000L, options);
    }

    private static byte[] frame(long dst, long src, int seed) {
        return Frames.ethernet(dst, src, 0x88b5, 46 + seed % 8).array();  // experimental ethertype: no MSS clamp
    }

    private static void fromTap(Segment segment, byte[] frame) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Segment.FRAME_HEADROOM + frame.length + 31);
        buf.setIndex(Segment.FRAME_HEADROOM, Segment.FRAME_HEADROOM);
        buf.writeBytes(frame);
        segment.onLocalFrame(buf);
    }

    /** One frame A → B on {@code lan}, then one back: both must arrive. */
    private void lanFrame() {
        lanSent++;
        byte[] out = frame(BROADCAST, MAC_A, lanSent);
        byte[] back = frame(MAC_A, MAC_B, lanSent);
        fromTap(lanA, out);
        net.deliverAll();
        fromTap(lanB, back);
        net.deliverAll();
        assertEquals(lanSent, lanTapB.size(), "lan frame " + lanSent + " reached B");
        assertArrayEquals(out, lanTapB.getLast());
        assertEquals(lanSent, lanTapA.size(), "lan frame " + lanSent + " reached A");
        assertArrayEquals(back, lanTapA.getLast());
    }

    @Test
    void aSegmentAddedChangedAndRemovedLeavesTheOtherSegmentAndTheSessionsAlone() {
        Keypair session = bAtA.keypairs().current();
        long handshakes = bAtA.handshakesCompleted();

        // Added on all three gateways, A's with B only.
        Segment labA = segment(a.overlay, "lab", LAB, VTEP_A, SegmentOptions.DEFAULTS,
                List.of(new Segment.Member(bAtA, VTEP_B)), labTapA);
        Segment labB = segment(b.overlay, "lab", LAB, VTEP_B, SegmentOptions.DEFAULTS,
                List.of(new Segment.Member(aAtB, VTEP_A)), labTapB);
        segment(c.overlay, "lab", LAB, VTEP_C, SegmentOptions.DEFAULTS, List.of(new Segment.Member(aAtC, VTEP_A)),
                labTapC);
        lanFrame();
        fromTap(labA, frame(BROADCAST, MAC_A, 1));
        net.deliverAll();
        assertEquals(1, labTapB.size(), "the added segment carries frames");
        assertEquals(0, labTapC.size(), "to its members only");
        assertEquals(0, lanTapB.size() - lanSent, "and not into the other segment");

        // Changed in place: an option and a member (C joins).
        SegmentOptions relay = SegmentOptions.DEFAULTS.withRelay(true).withFloodLimit(50);
        labA.reconfigure(spec("lab", LAB, VTEP_A, relay, 64),
                List.of(new Segment.Member(bAtA, VTEP_B), new Segment.Member(cAtA, VTEP_C)));
        lanFrame();
        assertEquals(relay, labA.options());
        fromTap(labA, frame(BROADCAST, MAC_A, 2));
        net.deliverAll();
        assertEquals(2, labTapB.size());
        assertEquals(1, labTapC.size(), "the new member gets the flood");
        fromTap(labB, frame(BROADCAST, MAC_B, 3));
        net.deliverAll();
        assertEquals(2, labTapC.size(), "relay: A forwards B's broadcast to C");
        assertThrows(IllegalStateException.class, () -> a.overlay.removePeer(cAtA), "C carries lab");

        // C leaves lab, then A's peer C goes: the order a reload keeps.
        labA.reconfigure(labA.spec(), List.of(new Segment.Member(bAtA, VTEP_B)));
        a.overlay.removePeer(cAtA);
        lanFrame();

        // Removed on A: B's frames for VNI 200 are unknown there now.
        a.overlay.removeSegment(labA);
        assertEquals(List.of(lanA), a.overlay.segments());
        long unknownBefore = a.overlay.drops().get(DropReason.UNKNOWN_VNI);
        int labAtA = labTapA.size();
        fromTap(labB, frame(BROADCAST, MAC_B, 4));
        net.deliverAll();
        assertEquals(unknownBefore + 1, a.overlay.drops().get(DropReason.UNKNOWN_VNI));
        assertEquals(labAtA, labTapA.size());
        lanFrame();

        assertSame(session, bAtA.keypairs().current(), "no new session with B");
        assertEquals(handshakes, bAtA.handshakesCompleted());
        assertEquals(0, lanA.counters().get(Event.DROP_NOT_MEMBER) + lanB.counters().get(Event.DROP_NOT_MEMBER));
    }

    @Test
    void optionsAloneKeepTheMacTableAndMembersOrSizesStartItAfresh() {
        int learned = lanA.macTableSize();
        assertEquals(1, learned, "A learned B's MAC");
        Segment.Member toB = new Segment.Member(bAtA, VTEP_B);
        lanA.reconfigure(spec("lan", LAN, VTEP_A, SegmentOptions.DEFAULTS.withArpSuppression(false), 64), List.of(toB));
        assertEquals(learned, lanA.macTableSize(), "an option changed: what was learned stays");
        lanFrame();
        lanA.reconfigure(spec("lan", LAN, VTEP_A, SegmentOptions.DEFAULTS.withFloodLimit(3), 64), List.of(toB));
        assertEquals(learned, lanA.macTableSize(), "a new flood limit: what was learned stays");
        long limitedBefore = lanA.counters().get(Event.DROP_FLOOD_LIMIT);
        for (int i = 0; i < 5; i++) {
            fromTap(lanA, frame(BROADCAST, MAC_A, i));
        }
        assertEquals(limitedBefore + 2, lanA.counters().get(Event.DROP_FLOOD_LIMIT), "the new limit: a burst of 3");
        net.deliverAll();
        assertEquals(lanSent + 3, lanTapB.size());
        lanTapB.subList(lanSent, lanSent + 3).clear();  // lanFrame counts its own frames
        net.advanceMillis(1_000);  // the bucket refills
        lanFrame();
        lanA.reconfigure(spec("lan", LAN, VTEP_A, SegmentOptions.DEFAULTS, 128), List.of(toB));
        assertEquals(0, lanA.macTableSize(), "a new bound: the table starts empty");
        lanFrame();
        assertEquals(learned, lanA.macTableSize());
        lanA.reconfigure(lanA.spec(), List.of(toB, new Segment.Member(cAtA, VTEP_C)));
        assertEquals(0, lanA.macTableSize(), "a member joined: each peer's share changed");
        assertThrows(IllegalArgumentException.class,
                () -> lanA.reconfigure(spec("lan", 101, VTEP_A, SegmentOptions.DEFAULTS, 64), List.of(toB)),
                "a new VNI is a new segment");
    }

    @Test
    void aVniCanOnlyBeAddedOnceAndAgainAfterItsSegmentWent() {
        assertThrows(IllegalArgumentException.class, () -> segment(a.overlay, "again", LAN, VTEP_A,
                SegmentOptions.DEFAULTS, List.of(new Segment.Member(bAtA, VTEP_B)), labTapA));
        a.overlay.removeSegment(lanA);
        lanA = segment(a.overlay, "lan", LAN, VTEP_A, SegmentOptions.DEFAULTS, List.of(new Segment.Member(bAtA, VTEP_B)),
                lanTapA);
        lanSent = 0;
        lanTapA.clear();
        lanTapB.clear();
        lanFrame();
    }

    @Test
    void withTheLastSegmentGoneVxlanIsPlainUdpForTheDeviceAgain() {
        a.overlay.removeSegment(lanA);
        assertTrue(a.overlay.segments().isEmpty());
        fromTap(lanB, frame(BROADCAST, MAC_B, 5));
        net.deliverAll();
        assertEquals(1, a.deviceWrites.size(), "nothing claims VXLAN: the packet goes to the TUN device");
        assertEquals(0, a.overlay.drops().get(DropReason.UNKNOWN_VNI));
    }

    @Test
    void aSegmentAddedOnAStandbyStartsInStandby() {
        a.overlay.standBy();
        Segment labA = segment(a.overlay, "lab", LAB, VTEP_A, SegmentOptions.DEFAULTS,
                List.of(new Segment.Member(bAtA, VTEP_B)), labTapA);
        fromTap(labA, frame(BROADCAST, MAC_A, 6));
        assertEquals(1, labA.counters().get(Event.DROP_STANDBY));
        a.overlay.activate();
        fromTap(labA, frame(BROADCAST, MAC_A, 7));
        assertEquals(1, labA.counters().get(Event.FLOODED), "carries frames once active");
    }
}
