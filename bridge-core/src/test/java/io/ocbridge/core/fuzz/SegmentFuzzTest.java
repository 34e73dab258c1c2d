package io.ocbridge.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.ManualClock;
import io.ocbridge.core.testing.MemoryOverlayIo;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.fuzz.FuzzLoop;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ethernet frames into an L2 segment, from the TAP device (onLocalFrame) and from peers (onRemoteFrame).
 * Two segments: defaults, and every safeguard on (relay, DHCP guard, tight flood limit, flap damping),
 * each with a small MAC table so the capacity bound is exercised.
 */
@ExtendWith(NoLeaks.class)
class SegmentFuzzTest {
    private static final int TABLE_SIZE = 16;
    private static final Harness HARNESS = new Harness();

    @FuzzTest(maxDuration = "10m")
    void frames(byte[] data) {
        HARNESS.fuzzOne(data);
    }

    @Test
    void framesMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(SegmentFuzzTest.class, "frames");
        long n = FuzzLoop.run("segment-frames", seeds, 1600, HARNESS::fuzzOne);
        System.out.printf("segment-frames: uplink %d packets, tap %d frames%n", HARNESS.uplinkPackets, HARNESS.tapFrames);
        assertTrue(n >= seeds.size());
    }

    static final class Harness {
        final ManualClock now = new ManualClock(1_000_000_000L);
        final Peer[] peers = new Peer[3];
        final Segment[] segments = new Segment[2];
        long uplinkPackets;
        long tapFrames;

        Harness() {
            Overlay overlay = new Overlay("fuzz", 1420, new LocalIdentity(PrivateKey.generate()), MemoryOverlayIo.discarding(), now,
                    Clock.systemUTC(), Log.with("fuzz"));
            for (int i = 0; i < peers.length; i++) {
                peers[i] = overlay.addPeer("p" + i, PrivateKey.generate().publicKey(), PresharedKey.zero(), null,
                        List.of(Cidr.parse("10.77.0." + (i + 2) + "/32")), 0);
            }
            List<Segment.Member> members = List.of(new Segment.Member(peers[0], 0x0a4d0002), new Segment.Member(peers[1], 0x0a4d0003));
            SegmentOptions strict = new SegmentOptions(true, 5, true, true, 2, 5_000_000_000L);
            for (int s = 0; s < segments.length; s++) {
                segments[s] = new Segment(new SegmentSpec("lan" + s, "tap" + s, 100 + s, 0x0a4d0001, 1420, 1380,
                        1360, TABLE_SIZE, 10_000_000_000L, s == 0 ? SegmentOptions.DEFAULTS : strict),
                members, (peer, packet) -> {
                            uplinkPackets++;
                            assertEquals(1, packet.refCnt(), "uplink gets a live packet");
                            packet.release();
                        },
                frame -> {
                            tapFrames++;
                            assertTrue(frame.refCnt() > 0, "tap gets a live frame");
                            return (tapFrames & 7) != 0;  // some device writes fail
                        },
                PooledByteBufAllocator.DEFAULT, now, Log.with("fuzz"));
            }
        }

        /**
         * Control byte: bit 0 segment, bit 1 remote path, bits 2-3 sending peer (2 = not a member),
         * bit 4 no headroom before the remote packet (a reassembled one), bits 5-7 clock step; then the frame.
         */
        void fuzzOne(byte[] data) {
            if (data.length == 0) {
                return;
            }
            int control = data[0] & 0xff;
            Segment segment = segments[control & 1];
            now.advanceNanos(((control >>> 5) & 7) * ((control >>> 5) == 7 ? 3_000_000_000L : 50_000_000L));
            int frameBytes = data.length - 1;
            ByteBuf buf;
            if ((control & 2) == 0) {
                buf = PooledByteBufAllocator.DEFAULT.directBuffer(Segment.FRAME_HEADROOM + frameBytes + 31);
                buf.setIndex(Segment.FRAME_HEADROOM, Segment.FRAME_HEADROOM);
                buf.writeBytes(data, 1, frameBytes);
                segment.onLocalFrame(buf);
            } else {
                int headroom = (control & 0x10) != 0 ? 0 : 16;
                buf = PooledByteBufAllocator.DEFAULT.directBuffer(headroom + Vxlan.ENCAP_BYTES + frameBytes + 32);
                buf.setIndex(headroom, headroom);
                buf.writeZero(Vxlan.ENCAP_BYTES);
                buf.setByte(headroom, 0x45);
                buf.writeBytes(data, 1, frameBytes);
                Peer from = peers[Math.min((control >>> 2) & 3, peers.length - 1)];
                segment.onRemoteFrame(from, buf, headroom + Vxlan.ENCAP_BYTES);
            }
            assertEquals(0, buf.refCnt(), "segment consumes the frame");
            for (Segment s : segments) {
                assertTrue(s.macTableSize() <= TABLE_SIZE, "MAC table " + s.macTableSize());
                assertTrue(s.neighborTableSize() <= TABLE_SIZE, "neighbor table " + s.neighborTableSize());
            }
            if ((control & 0xe0) == 0xe0) {
                segment.tick();
            }
        }
    }
}
