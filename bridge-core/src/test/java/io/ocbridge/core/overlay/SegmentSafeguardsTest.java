package io.ocbridge.core.overlay;

import static io.ocbridge.core.overlay.Packets.v4;
import static io.ocbridge.core.testing.Frames.arp;
import static io.ocbridge.core.testing.Frames.ethernet;
import static io.ocbridge.core.testing.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentCounters.Event;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.Frames;
import io.ocbridge.core.testing.ManualClock;
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

/**
 * The segment's forwarding rules and safeguards, frame by frame: one switch with three member
 * peers, a recording uplink and TAP, and a virtual clock. Counters are asserted exactly.
 */
@ExtendWith(NoLeaks.class)
class SegmentSafeguardsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long BROADCAST = 0xffff_ffff_ffffL;
    private static final long LOCAL_HOST = 0x0200_0000_0001L;
    private static final long VM_1 = 0x0200_0000_0101L;
    private static final long VM_2 = 0x0200_0000_0201L;
    private static final int LOCAL_IP = v4(192, 168, 50, 10);
    private static final int VM_1_IP = v4(192, 168, 50, 101);

    /** One encapsulated frame the switch sent, and to whom. */
    private record Sent(String peer, byte[] frame) {}

    private final ManualClock nanos = new ManualClock(5 * SECOND);
    private final List<Sent> sent = new ArrayList<>();
    private final List<byte[]> tap = new ArrayList<>();
    private Overlay overlay;
    private Peer spoke1;
    private Peer spoke2;
    private Peer spoke3;
    private Segment segment;

    @BeforeEach
    void peers() {
        MemoryNetwork net = new MemoryNetwork();
        MemoryNetwork.Node node = net.node(new InetSocketAddress("192.0.2.1", 51820));
        overlay = new Overlay("corp", 1420, new LocalIdentity(PrivateKey.generate()), node, net.nanos::get,
                net.wallClock, Log.with("test"));
        node.overlay = overlay;
        spoke1 = peer("spoke1", 2);
        spoke2 = peer("spoke2", 3);
        spoke3 = peer("spoke3", 4);
    }

    @AfterEach
    void close() {
        overlay.close();
    }

    private Peer peer(String name, int host) {
        return overlay.addPeer(name, PrivateKey.generate().publicKey(), PresharedKey.zero(),
                new InetSocketAddress("192.0.2." + host, 51820), List.of(Cidr.parse("10.77.0." + host + "/32")), 0);
    }

    private Segment segment(SegmentOptions options) {
        return segment(options, Log.with("test"));
    }

    private Segment segment(SegmentOptions options, Log log) {
        segment = new Segment(new SegmentSpec("lan", "ocb-lan", 100, v4(10, 77, 0, 1), 1420, 0, 0, 64, 300 * SECOND,
                options),
                List.of(new Segment.Member(spoke1, v4(10, 77, 0, 2)), new Segment.Member(spoke2, v4(10, 77, 0, 3)),
                        new Segment.Member(spoke3, v4(10, 77, 0, 4))), this::uplink,
                frame -> {
                    tap.add(bytes(frame, frame.readerIndex(), frame.readableBytes()));
                    return true;
                },
                PooledByteBufAllocator.DEFAULT, nanos::get, log);
        return segment;
    }

    private void uplink(Peer peer, ByteBuf packet) {
        int frameAt = Vxlan.frameOffset(packet, packet.readerIndex());
        sent.add(new Sent(peer.name(), bytes(packet, frameAt, packet.writerIndex() - frameAt)));
        packet.release();
    }

    private static byte[] bytes(ByteBuf buf, int at, int length) {
        byte[] copy = new byte[length];
        buf.getBytes(at, copy);
        return copy;
    }

    private void fromTap(byte[] frame) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Segment.FRAME_HEADROOM + 1518 + 31);
        buf.setIndex(Segment.FRAME_HEADROOM, Segment.FRAME_HEADROOM);
        buf.writeBytes(frame);
        segment.onLocalFrame(buf);
    }

    private void fromPeer(Peer peer, byte[] frame) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Vxlan.ENCAP_BYTES + frame.length);
        buf.writeZero(Vxlan.ENCAP_BYTES);
        buf.writeBytes(frame);
        segment.onRemoteFrame(peer, buf, Vxlan.ENCAP_BYTES);
    }

    private List<String> sentTo() {
        return sent.stream().map(Sent::peer).toList();
    }

    private long count(Event event) {
        return segment.counters().get(event);
    }

    // ---- frames ------------------------------------------------------------------------------------

    /** A UDP datagram over IPv4 from {@code srcPort} to {@code dstPort}. */
    private static byte[] udp(long dst, long src, int srcPort, int dstPort) {
        ByteBuffer b = ethernet(dst, src, 0x0800, 20 + 8 + 20);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 48).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        b.putInt(0).putInt(-1);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) 28).putShort((short) 0);
        return b.array();
    }

    private static final long V6_PREFIX = 0xfd00_0000_0000_0050L;

    /** {@code frame} with an 802.1Q tag (and an 802.1ad S-tag before it if {@code qinq}) after the MAC addresses. */
    private static byte[] tagged(byte[] frame, boolean qinq) {
        return qinq ? Frames.tagged(frame, 42, 0x88a8, 0x8100) : Frames.tagged(frame, 42, 0x8100);
    }

    /** A UDP datagram over IPv6 behind a hop-by-hop options header, from {@code srcPort} to {@code dstPort}. */
    private static byte[] udpV6BehindHopByHop(long dst, long src, int srcPort, int dstPort) {
        ByteBuffer b = ethernet(dst, src, 0x86dd, 40 + 8 + 8 + 20);
        b.putInt(0x6000_0000).putShort((short) 36).put((byte) 0).put((byte) 255);
        b.putLong(0xfe80_0000_0000_0000L).putLong(1).putLong(0xff02_0000_0000_0000L).putLong(0x1_0002);
        b.put((byte) 17).put((byte) 0).putShort((short) 0x0104).putInt(0);  // hop-by-hop: PadN, next UDP
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) 28).putShort((short) 0);
        return b.array();
    }


    /** A Neighbor Solicitation ({@code type} 135) or Advertisement (136) for {@code target}. */
    private static byte[] nd(int type, long dst, long src, long srcIpLow, long targetLow, long linkLayer) {
        ByteBuffer b = ethernet(dst, src, 0x86dd, 40 + 32);
        b.putInt(0x6000_0000).putShort((short) 32).put((byte) 58).put((byte) 255);
        b.putLong(srcIpLow == 0 ? 0 : V6_PREFIX).putLong(srcIpLow);
        b.putLong(0xff02_0000_0000_0000L).putLong(0x0000_0001_ff00_0000L | (targetLow & 0xffffff));
        b.put((byte) type).put((byte) 0).putShort((short) 0).putInt(type == 136 ? 0x2000_0000 : 0);
        b.putLong(V6_PREFIX).putLong(targetLow);
        b.put((byte) (type == 136 ? 2 : 1)).put((byte) 1);
        b.putShort((short) (linkLayer >>> 32)).putInt((int) linkLayer);
        return b.array();
    }

    // ---- relay ---------------------------------------------------------------------------------------

    @Test
    void withoutRelayFramesFromPeersOnlyGoToTheTap() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        fromPeer(spoke1, frame(VM_2, VM_1));
        assertEquals(2, tap.size());
        assertEquals(List.of(), sentTo());
        assertEquals(0, count(Event.RELAYED));
        assertEquals(2, count(Event.REMOTE_FRAMES));
    }

    @Test
    void hubFloodsBroadcastToTheOtherSpokesWithSplitHorizon() {
        segment(SegmentOptions.DEFAULTS.withRelay(true));
        byte[] broadcast = frame(BROADCAST, VM_1);
        fromPeer(spoke1, broadcast);
        assertEquals(1, tap.size());
        assertEquals(List.of("spoke2", "spoke3"), sentTo());
        assertArrayEquals(broadcast, sent.get(0).frame());
        assertArrayEquals(broadcast, sent.get(1).frame());
        assertEquals(1, count(Event.RELAYED));
        assertEquals(1, count(Event.REMOTE_FRAMES));
    }

    @Test
    void hubSendsUnicastOnlyToTheLearnedSpoke() {
        segment(SegmentOptions.DEFAULTS.withRelay(true));
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        sent.clear();
        tap.clear();
        byte[] reply = frame(VM_1, VM_2);
        fromPeer(spoke2, reply);
        assertEquals(List.of("spoke1"), sentTo(), "learned: not flooded, not to the TAP");
        assertArrayEquals(reply, sent.get(0).frame());
        assertEquals(0, tap.size());

        sent.clear();
        fromPeer(spoke3, frame(0x0200_0000_0999L, 0x0200_0000_0301L));
        assertEquals(List.of("spoke1", "spoke2"), sentTo(), "unknown unicast floods, but never back to spoke3");
        assertEquals(1, tap.size());
        assertEquals(3, count(Event.RELAYED));
    }

    // ---- flood limit -----------------------------------------------------------------------------------

    @Test
    void floodLimitHoldsPerPeerAndRefillsWithTime() {
        segment(SegmentOptions.DEFAULTS.withFloodLimit(10));
        for (int i = 0; i < 15; i++) {
            fromTap(frame(BROADCAST, LOCAL_HOST));
        }
        assertEquals(30, sent.size(), "a burst of one second's worth (10) to each of the three peers");
        assertEquals(15, count(Event.DROP_FLOOD_LIMIT));
        assertEquals(15, count(Event.FLOODED));

        nanos.advanceNanos(SECOND / 2);
        sent.clear();
        for (int i = 0; i < 15; i++) {
            fromTap(frame(BROADCAST, LOCAL_HOST));
        }
        assertEquals(15, sent.size(), "half a second refills 5 per peer");
        assertEquals(15 + 30, count(Event.DROP_FLOOD_LIMIT));
    }

    @Test
    void floodLimitFromAPeerDropsItsBroadcastsButNotItsUnicast() {
        segment(SegmentOptions.DEFAULTS.withFloodLimit(10));
        for (int i = 0; i < 12; i++) {
            fromPeer(spoke1, frame(BROADCAST, VM_1));
        }
        assertEquals(10, tap.size());
        assertEquals(2, count(Event.DROP_FLOOD_LIMIT));
        fromPeer(spoke1, frame(LOCAL_HOST, VM_1));
        assertEquals(11, tap.size(), "unicast is not limited");
        fromPeer(spoke2, frame(BROADCAST, VM_2));
        assertEquals(12, tap.size(), "each peer has its own bucket");

        for (int i = 0; i < 20; i++) {
            fromTap(frame(VM_1, LOCAL_HOST));  // learned: unicast, not limited
        }
        assertEquals(20, sent.size());
        assertEquals(2, count(Event.DROP_FLOOD_LIMIT));
    }

    @Test
    void floodLimitZeroIsOff() {
        segment(SegmentOptions.DEFAULTS.withFloodLimit(0));
        for (int i = 0; i < 3000; i++) {
            fromPeer(spoke1, frame(BROADCAST, VM_1));
        }
        assertEquals(3000, tap.size());
        assertEquals(0, count(Event.DROP_FLOOD_LIMIT));
    }

    // ---- ARP and ND suppression ---------------------------------------------------------------------------

    @Test
    void arpRequestForAnAddressBehindAPeerIsAnsweredLocally() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, arp(2, LOCAL_HOST, VM_1, VM_1_IP, 0x0200_0000_0002L, v4(192, 168, 50, 2)));
        assertEquals(1, count(Event.NEIGHBOR_LEARNED));
        tap.clear();

        fromTap(arp(1, BROADCAST, LOCAL_HOST, LOCAL_IP, 0, VM_1_IP));
        assertEquals(List.of(), sentTo(), "the request does not cross the WAN");
        assertEquals(1, count(Event.ARP_SUPPRESSED));
        assertEquals(1, tap.size());
        assertArrayEquals(arp(2, LOCAL_HOST, VM_1, VM_1_IP, LOCAL_HOST, LOCAL_IP), tap.get(0));
    }

    @Test
    void unknownGratuitousAndProbeArpStillFlood() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, arp(1, BROADCAST, VM_1, VM_1_IP, 0, v4(192, 168, 50, 1)));
        fromTap(arp(1, BROADCAST, LOCAL_HOST, LOCAL_IP, 0, v4(192, 168, 50, 77)));  // unknown address
        fromTap(arp(1, BROADCAST, LOCAL_HOST, VM_1_IP, 0, VM_1_IP));                // gratuitous
        fromTap(arp(1, BROADCAST, LOCAL_HOST, 0, 0, VM_1_IP));                      // probe (DAD)
        assertEquals(9, sent.size());
        assertEquals(0, count(Event.ARP_SUPPRESSED));
    }

    @Test
    void bindingsAgeWithTheMacTableAndSuppressionCanBeTurnedOff() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, arp(1, BROADCAST, VM_1, VM_1_IP, 0, v4(192, 168, 50, 1)));
        nanos.advanceNanos(301 * SECOND);
        segment.tick();
        fromTap(arp(1, BROADCAST, LOCAL_HOST, LOCAL_IP, 0, VM_1_IP));
        assertEquals(0, count(Event.ARP_SUPPRESSED));
        assertEquals(3, sent.size());
        assertEquals(0, segment.neighborTableSize());

        segment(SegmentOptions.DEFAULTS.withArpSuppression(false));
        sent.clear();
        fromPeer(spoke1, arp(1, BROADCAST, VM_1, VM_1_IP, 0, v4(192, 168, 50, 1)));
        fromTap(arp(1, BROADCAST, LOCAL_HOST, LOCAL_IP, 0, VM_1_IP));
        assertEquals(0, count(Event.ARP_SUPPRESSED));
        assertEquals(0, count(Event.NEIGHBOR_LEARNED));
        assertEquals(3, sent.size());
    }

    @Test
    void neighborSolicitationIsAnsweredWithAValidAdvertisement() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, nd(136, LOCAL_HOST, VM_1, 0x101, 0x101, VM_1));
        assertEquals(1, count(Event.NEIGHBOR_LEARNED));
        tap.clear();

        fromTap(nd(135, 0x3333_ff00_0101L, LOCAL_HOST, 0x10, 0x101, LOCAL_HOST));
        assertEquals(List.of(), sentTo());
        assertEquals(1, count(Event.ND_SUPPRESSED));
        assertEquals(1, tap.size());
        ByteBuf na = Unpooled.wrappedBuffer(tap.get(0));
        assertEquals(14 + 40 + 32, na.readableBytes());
        assertEquals(LOCAL_HOST, mac(na, 0));
        assertEquals(VM_1, mac(na, 6));
        assertEquals(V6_PREFIX, na.getLong(14 + 8));
        assertEquals(0x101, na.getLong(14 + 16), "from the target");
        assertEquals(0x10, na.getLong(14 + 32), "to the soliciting host");
        assertEquals(136, na.getUnsignedByte(54));
        assertEquals(0x60, na.getUnsignedByte(58), "solicited, override");
        assertEquals(VM_1, mac(na, 54 + 24 + 2), "target link-layer address option");
        int pseudo = Checksums.sum(na, 14 + 8, 32, 0) + 32 + 58;
        assertEquals(0, Checksums.finish(Checksums.sum(na, 54, 32, pseudo)), "ICMPv6 checksum verifies");

        fromTap(nd(135, 0x3333_ff00_0101L, LOCAL_HOST, 0, 0x101, LOCAL_HOST));
        assertEquals(3, sent.size(), "duplicate address detection is never answered");
    }

    private static long mac(ByteBuf buf, int at) {
        return ((long) buf.getUnsignedShort(at) << 32) | buf.getUnsignedInt(at + 2);
    }

    // ---- MAC flap damping --------------------------------------------------------------------------------

    @Test
    void aFlappingMacIsFrozenToItsOwnerForTheHoldTime() {
        segment(SegmentOptions.DEFAULTS.withMacFlapDamping(3, 30 * SECOND));
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        for (int i = 0; i < 3; i++) {                       // three moves: allowed
            nanos.advanceNanos(SECOND / 10);
            fromPeer(i % 2 == 0 ? spoke2 : spoke1, frame(BROADCAST, VM_1));
        }
        assertEquals(3, count(Event.MAC_MOVED));
        assertEquals(0, count(Event.MAC_DAMPED));
        // VM_1 is now behind spoke2; a fourth move within 10 s freezes it there.
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        assertEquals(1, count(Event.MAC_DAMPED));
        assertEquals(1, count(Event.DROP_MAC_DAMPED));
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        fromPeer(spoke3, frame(LOCAL_HOST, VM_1));
        assertEquals(3, count(Event.DROP_MAC_DAMPED));
        assertEquals(4, tap.size());
        fromPeer(spoke2, frame(BROADCAST, VM_1));
        assertEquals(5, tap.size(), "the owner keeps working");
        fromTap(frame(VM_1, LOCAL_HOST));
        assertEquals(List.of("spoke2"), sentTo());

        nanos.advanceNanos(30 * SECOND);
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        assertEquals(4, count(Event.MAC_MOVED), "after the hold the MAC may move again");
        assertEquals(3, count(Event.DROP_MAC_DAMPED));
        sent.clear();
        fromTap(frame(VM_1, LOCAL_HOST));
        assertEquals(List.of("spoke1"), sentTo());
    }

    @Test
    void slowMovesAreNeverDamped() {
        segment(SegmentOptions.DEFAULTS.withMacFlapDamping(3, 30 * SECOND));
        for (int i = 0; i < 20; i++) {
            fromPeer(i % 2 == 0 ? spoke1 : spoke2, frame(BROADCAST, VM_1));
            nanos.advanceNanos(4 * SECOND);
        }
        assertEquals(19, count(Event.MAC_MOVED));
        assertEquals(0, count(Event.MAC_DAMPED));
        assertEquals(20, tap.size());
    }

    @Test
    void dampingKeepsTheLongStandingOwnerWhenTheAttackerTimesTheFreeze() {
        segment(SegmentOptions.DEFAULTS.withMacFlapDamping(3, 30 * SECOND));
        fromPeer(spoke1, frame(BROADCAST, VM_1));
        nanos.advanceNanos(11 * SECOND);
        fromPeer(spoke1, frame(BROADCAST, VM_1));              // spoke1 has held VM_1 for a whole window
        for (int i = 0; i < 4; i++) {                            // spoke3 answers each of spoke1's frames at once,
            nanos.advanceNanos(SECOND / 10);                        // so it holds VM_1 when the fourth move comes
            fromPeer(i % 2 == 0 ? spoke3 : spoke1, frame(BROADCAST, VM_1));
        }
        assertEquals(1, count(Event.MAC_DAMPED));
        assertEquals(0, count(Event.DROP_MAC_DAMPED), "the long-standing owner's frame is taken");
        fromTap(frame(VM_1, LOCAL_HOST));
        assertEquals(List.of("spoke1"), sentTo(), "frozen to the long-standing owner, not to the last one");
        fromPeer(spoke3, frame(BROADCAST, VM_1));
        assertEquals(1, count(Event.DROP_MAC_DAMPED));
    }

    @Test
    void aPeerCannotTakeOverALocalMacByFlapping() {
        segment(SegmentOptions.DEFAULTS.withMacFlapDamping(3, 30 * SECOND));
        for (int i = 0; i < 10; i++) {                           // a peer keeps sending as the local host
            nanos.advanceNanos(SECOND / 10);
            fromTap(frame(BROADCAST, LOCAL_HOST));
            fromPeer(spoke1, frame(BROADCAST, LOCAL_HOST));
        }
        assertEquals(10, count(Event.LOCAL_FRAMES), "the local side is never refused");
        assertEquals(1, count(Event.MAC_DAMPED));
        assertEquals(8, count(Event.DROP_MAC_DAMPED), "after the freeze every spoofed frame is dropped");
        assertEquals(2, tap.size(), "only the spoofed frames before the freeze reached the LAN");
        sent.clear();
        fromTap(frame(LOCAL_HOST, 0x0200_0000_0002L));
        assertEquals(3, sent.size(), "a frame to the local host is not sent to the spoofing peer alone");
    }

    @Test
    void macMovedIsLoggedAtMostEveryTenSeconds() {
        var captured = new java.io.ByteArrayOutputStream();
        Log.setOutput(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            segment(SegmentOptions.DEFAULTS.withMacFlapDamping(0, 0), Log.with("throttle-test"));
            for (int i = 0; i < 20; i++) {                       // a slow move every 2 s: no flapping, 19 moves
                fromPeer(i % 2 == 0 ? spoke1 : spoke2, frame(BROADCAST, VM_1));
                nanos.advanceNanos(2 * SECOND);
            }
        } finally {
            Log.setOutput(System.err);
        }
        long lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("mac-moved") && l.contains("throttle-test")).count();
        assertEquals(19, count(Event.MAC_MOVED), "every move is counted");
        assertEquals(4, lines, "but logged once per 10 s (38 s of moves)");
    }

    @Test
    void onePeerFloodingSourceMacsLeavesTheOthersTheirShare() {
        segment(SegmentOptions.DEFAULTS.withFloodLimit(0));
        fromPeer(spoke2, frame(BROADCAST, VM_2));
        for (int i = 0; i < 500; i++) {
            fromPeer(spoke1, frame(BROADCAST, 0x0200_0001_0000L + i));
        }
        assertEquals(22, segment.macTableSize() - 1, "spoke1 holds its share: 64 over 3 peers");
        assertEquals(500 - 22, count(Event.MAC_SHARE_FULL));
        fromPeer(spoke3, frame(BROADCAST, 0x0200_0000_0301L));
        assertEquals(1, count(Event.MAC_LEARNED) - 22 - 1, "a newcomer still has room");
        fromTap(frame(VM_2, LOCAL_HOST));
        fromTap(frame(0x0200_0000_0301L, LOCAL_HOST));
        assertEquals(List.of("spoke2", "spoke3"), sentTo(), "other peers' MACs stay learned: unicast, not flooded");
    }

    @Test
    void onePeerFloodingArpBindingsLeavesTheOthersTheirShare() {
        segment(SegmentOptions.DEFAULTS.withFloodLimit(0));
        for (int i = 0; i < 500; i++) {
            fromPeer(spoke1, arp(2, LOCAL_HOST, VM_1, v4(10, 99, i >> 8, i), LOCAL_HOST, LOCAL_IP));
        }
        assertEquals(22, segment.neighborTableSize(), "spoke1 holds its share: 64 over 3 peers");
        assertEquals(500 - 22, count(Event.NEIGHBOR_SHARE_FULL));
        fromPeer(spoke2, arp(2, LOCAL_HOST, VM_2, v4(192, 168, 50, 102), LOCAL_HOST, LOCAL_IP));
        tap.clear();
        fromTap(arp(1, BROADCAST, LOCAL_HOST, LOCAL_IP, 0, v4(192, 168, 50, 102)));
        assertEquals(1, count(Event.ARP_SUPPRESSED), "spoke2's binding was learned and answers");
        assertEquals(List.of(), sentTo());
    }

    // ---- DHCP guard --------------------------------------------------------------------------------------

    @Test
    void dhcpBlockDropsServerMessagesFromPeersAndKeepsRequestsLocal() {
        segment(SegmentOptions.DEFAULTS.withDhcpBlock(true));
        fromPeer(spoke1, udp(BROADCAST, VM_1, 67, 68));
        assertEquals(0, tap.size());
        fromTap(udp(BROADCAST, LOCAL_HOST, 68, 67));
        assertEquals(List.of(), sentTo());
        assertEquals(2, count(Event.DROP_DHCP_GUARD));
        fromPeer(spoke1, udp(BROADCAST, VM_1, 68, 67));   // a remote client may still ask a local server
        fromTap(udp(BROADCAST, LOCAL_HOST, 53, 53));
        assertEquals(1, tap.size());
        assertEquals(3, sent.size());
        assertEquals(2, count(Event.DROP_DHCP_GUARD));
    }

    @Test
    void dhcpBlockSeesRogueServersThroughOddPortsExtensionHeadersAndTags() {
        segment(SegmentOptions.DEFAULTS.withDhcpBlock(true));
        fromPeer(spoke1, udp(BROADCAST, VM_1, 40000, 68));                          // offer from an odd source port
        fromPeer(spoke1, udpV6BehindHopByHop(0x3333_0001_0002L, VM_1, 547, 546));  // DHCPv6 reply behind an extension header
        fromPeer(spoke1, tagged(udp(BROADCAST, VM_1, 67, 68), false));             // 802.1Q-tagged offer
        fromPeer(spoke1, tagged(udp(BROADCAST, VM_1, 67, 68), true));              // 802.1ad + 802.1Q
        assertEquals(0, tap.size());
        assertEquals(4, count(Event.DROP_DHCP_GUARD));

        fromTap(tagged(udp(BROADCAST, LOCAL_HOST, 68, 67), false));                // tagged discover stays local
        fromTap(udpV6BehindHopByHop(0x3333_0001_0002L, LOCAL_HOST, 546, 547));     // so does a solicit behind a header
        assertEquals(List.of(), sentTo());
        assertEquals(6, count(Event.DROP_DHCP_GUARD));

        fromPeer(spoke1, tagged(udp(BROADCAST, VM_1, 53, 53), true));              // other tagged traffic crosses
        assertEquals(1, tap.size());
    }

    @Test
    void taggedArpIsNeitherLearnedNorAnswered() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, tagged(arp(2, LOCAL_HOST, VM_1, VM_1_IP, 0x0200_0000_0002L, v4(192, 168, 50, 2)), false));
        assertEquals(0, count(Event.NEIGHBOR_LEARNED), "the neighbour table has no VLAN: a binding must not cross VLANs");
        fromPeer(spoke1, arp(2, LOCAL_HOST, VM_1, VM_1_IP, 0x0200_0000_0002L, v4(192, 168, 50, 2)));
        fromTap(tagged(arp(1, BROADCAST, LOCAL_HOST, LOCAL_IP, 0, VM_1_IP), false));
        assertEquals(0, count(Event.ARP_SUPPRESSED), "an untagged binding does not answer a tagged request");
        assertEquals(3, sent.size());
    }

    @Test
    void dhcpAllowIsTheDefault() {
        segment(SegmentOptions.DEFAULTS);
        fromPeer(spoke1, udp(BROADCAST, VM_1, 67, 68));
        fromTap(udp(BROADCAST, LOCAL_HOST, 68, 67));
        assertEquals(1, tap.size());
        assertEquals(3, sent.size());
        assertEquals(0, count(Event.DROP_DHCP_GUARD));
    }

    // ---- hostile input ---------------------------------------------------------------------------------------

    @Test
    void truncatedArpNdAndDhcpFramesNeverThrow() {
        segment(SegmentOptions.DEFAULTS.withDhcpBlock(true).withRelay(true));
        int[] types = {0x0806, 0x86dd, 0x0800};
        for (int type : types) {
            for (int payload = 0; payload < 80; payload++) {
                ByteBuffer b = ethernet(BROADCAST, VM_1, type, payload);
                for (int i = 14; i < b.capacity(); i++) {
                    b.put(i, (byte) (i * 31 + payload));
                }
                fromPeer(spoke1, b.array());
                fromTap(b.array());
            }
        }
        assertTrue(count(Event.REMOTE_FRAMES) + count(Event.DROP_MALFORMED) + count(Event.DROP_DHCP_GUARD)
                + count(Event.DROP_FLOOD_LIMIT) > 0);
    }
}
