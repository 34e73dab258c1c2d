package io.ocbridge.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayInternals;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.Ipv4Packets;
import io.ocbridge.core.testing.ManualClock;
import io.ocbridge.core.testing.MemoryOverlayIo;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.fuzz.FuzzLoop;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WireGuard datagrams into an overlay's Outside. Overlay B (under test, with an L2 segment) has a live session
 * with peer A, so besides raw bytes the target can seal fuzzed plaintext with A's session keys and reach
 * transport parsing, allowed-ips checks, IPv4 reassembly, VXLAN and the segment behind the AEAD.
 * Fails if any datagram is not released, if either overlay counts an INTERNAL_ERROR (an exception the
 * data path caught), or if the segment's tables outgrow their capacity.
 */
@ExtendWith(NoLeaks.class)
class OutsideFuzzTest {
    static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);
    static final InetSocketAddress[] SOURCES = {ADDR_A, new InetSocketAddress("198.51.100.7", 4444),
            new InetSocketAddress("2001:db8::1", 51820), new InetSocketAddress("192.0.2.1", 60000)};
    static final int VTEP_A = 0x0a4d0001;
    static final int VTEP_B = 0x0a4d0002;
    static final int VNI = 100;
    static final int MAC_TABLE = 32;
    /** Fixed keys so captured handshakes in the regression inputs carry a valid MAC1 for B. */
    static final String KEY_A = "YHUk8+Pd3jcN1vRU2skA3OkiyDd4Y8JUHoZzqw/GW2A=";
    static final String KEY_B = "wEXO7BwCvB0DoJbxYkTAqpWzxmcQ5f2Xi2dVDWJKqlo=";

    private static final Harness HARNESS = new Harness();

    @FuzzTest(maxDuration = "10m")
    void datagrams(byte[] data) {
        HARNESS.fuzzOne(data);
    }

    @Test
    void datagramsMutationLoop() {
        List<byte[]> seeds = new ArrayList<>(FuzzLoop.corpus(OutsideFuzzTest.class, "datagrams"));
        seeds.addAll(HARNESS.captured);  // this run's messages, valid for this run's sessions
        long n = FuzzLoop.run("outside-datagrams", seeds, 1600, HARNESS::fuzzOne);
        System.out.printf("outside-datagrams: %d sessions, drops %s, device writes %d, tap frames %d%n",
                HARNESS.sessions, HARNESS.b.drops().snapshot(), HARNESS.ioA.deviceWriteCount + HARNESS.ioB.deviceWriteCount,
                HARNESS.tapFrames);
        assertTrue(n >= seeds.size());
    }

    static final class Harness {
        final ManualClock nanos = new ManualClock(1_000_000_000L, 1_780_000_000L);
        final Clock wallClock = nanos.wall();
        final ArrayDeque<ByteBuf> toB = new ArrayDeque<>();
        final ArrayDeque<ByteBuf> toA = new ArrayDeque<>();
        /** Messages captured while the session was set up, each with a control byte 0 (raw, from A). */
        final List<byte[]> captured = new ArrayList<>();
        /** Each overlay's I/O, kept across rebuilds so device writes add up over the run. */
        final MemoryOverlayIo ioA = io(toB);
        final MemoryOverlayIo ioB = io(toA);
        Overlay a;
        Overlay b;
        Peer bAtA;
        Segment segment;
        boolean rebuild;
        long sessions;
        long tapFrames;

        Harness() {
            build();
        }

        /** Datagrams one overlay sends wait in {@code queue}; the first few are kept as seeds. Device writes are counted. */
        private MemoryOverlayIo io(ArrayDeque<ByteBuf> queue) {
            return new MemoryOverlayIo((datagram, recipient) -> {
                if (captured.size() < 16) {
                    captured.add(Seeds.concat(new byte[] {0}, MemoryOverlayIo.copyOf(datagram)));
                }
                queue.addLast(datagram);
            });
        }

        /** Two overlays, a handshake A -> B, a first transport packet, and a cookie reply B -> A under load. */
        void build() {
            if (a != null) {
                drain(true);
                a.close();
                b.close();
            }
            PrivateKey keyA;
            PrivateKey keyB;
            try {
                keyA = PrivateKey.fromBase64(KEY_A);
                keyB = PrivateKey.fromBase64(KEY_B);
            } catch (KeyFormatException e) {
                throw new IllegalStateException(e);
            }
            a = new Overlay("corp", 1420, new LocalIdentity(keyA), ioA, nanos, wallClock, Log.with("fuzz-a"));
            b = new Overlay("corp", 1420, new LocalIdentity(keyB), ioB, nanos, wallClock, Log.with("fuzz-b"));
            bAtA = a.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B,
                    List.of(Cidr.parse("10.77.0.2/32"), Cidr.parse("172.16.2.0/24")), 0);
            Peer aAtB = b.addPeer("a", keyA.publicKey(), PresharedKey.zero(), ADDR_A,
                    List.of(Cidr.parse("10.77.0.1/32"), Cidr.parse("172.16.1.0/24"), Cidr.parse("fd77::1/128")), 0);
            segment = new Segment(new SegmentSpec("lan", "ocb-lan", VNI, VTEP_B, 1420, 1380, 1360, MAC_TABLE,
                    300_000_000_000L, SegmentOptions.DEFAULTS.withRelay(true).withDhcpBlock(true)),
                List.of(new Segment.Member(aAtB, VTEP_A)), b.inside()::sendToPeer,
                frame -> {
                        tapFrames++;
                        return true;
                    },
                PooledByteBufAllocator.DEFAULT, nanos, Log.with("fuzz-seg"));
            b.addSegment(segment, VTEP_B);
            // A's first packet starts the handshake; it and the response cross; the staged packet confirms B's session.
            MemoryOverlayIo.fromDevice(a, Ipv4Packets.udp(0xac10010a, 0xac10020a, 64, 1));
            drain(false);
            Keypair session = bAtA.keypairs().current();
            if (session == null) {
                throw new IllegalStateException("no session after the handshake: " + a.drops().snapshot() + " " + b.drops().snapshot());
            }
            // Under load B answers a (re-sent, so replayed) initiation with a cookie reply.
            if (!captured.isEmpty()) {
                byte[] initiation = captured.get(0);
                OverlayInternals.forceUnderLoad(b, true);
                deliver(b, java.util.Arrays.copyOfRange(initiation, 1, initiation.length), ADDR_A);
                OverlayInternals.forceUnderLoad(b, false);
                drain(false);
            }
            // Seeds that go deep: a sealed IPv4 packet, a sealed VXLAN ARP request, a sealed fragment.
            if (captured.size() < 32) {
                captured.add(Seeds.concat(new byte[] {1}, Ipv4Packets.udp(0xac10010a, 0xac10020a, 40, 2)));
                for (byte[] frame : Seeds.frames()) {
                    captured.add(Seeds.concat(new byte[] {2}, frame));
                }
                for (byte[] fragment : Seeds.fragments(1600, 576, 77)) {
                    captured.add(Seeds.concat(new byte[] {3}, fragment));
                }
            }
            rebuild = false;
            sessions++;
        }

        /** Delivers queued datagrams both ways (bounded); with {@code discard}, only releases them. */
        private void drain(boolean discard) {
            for (int i = 0; i < 1000 && !(toA.isEmpty() && toB.isEmpty()); i++) {
                ByteBuf d = toB.pollFirst();
                if (d != null) {
                    if (discard) {
                        d.release();
                    } else {
                        b.outside().onDatagram(d, ADDR_A);
                        b.processHandshakes();
                    }
                }
                d = toA.pollFirst();
                if (d != null) {
                    if (discard) {
                        d.release();
                    } else {
                        a.outside().onDatagram(d, ADDR_B);
                        a.processHandshakes();
                    }
                }
            }
            while (!toA.isEmpty()) {
                toA.pollFirst().release();
            }
            while (!toB.isEmpty()) {
                toB.pollFirst().release();
            }
        }

        private void deliver(Overlay target, byte[] bytes, InetSocketAddress source) {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length + 16);
            buf.writeBytes(bytes);
            target.outside().onDatagram(buf, source);
            assertEquals(0, buf.refCnt(), "Outside consumes every datagram");
            target.processHandshakes();
        }

        /**
         * Control byte: bits 0-1 mode (0 raw datagram, 1 seal the rest with A's session, 2 seal it as a VXLAN frame
         * to B's segment, 3 seal it as an IPv4 packet A -> B), bits 2-3 source address, bit 4 B under load, bit 5
         * recompute MAC1/MAC2 (raw initiation/response sizes), bits 6-7 clock step (0, 1 ms, 100 ms, 1 s + tick).
         */
        void fuzzOne(byte[] data) {
            if (data.length == 0) {
                return;
            }
            int control = data[0] & 0xff;
            byte[] payload = java.util.Arrays.copyOfRange(data, 1, data.length);
            int step = control >>> 6;
            nanos.advanceNanos(step == 0 ? 0 : step == 1 ? 1_000_000L : step == 2 ? 100_000_000L : 1_000_000_000L);
            Keypair session = bAtA.keypairs().current();
            if (rebuild || session == null || session.isDestroyed()
                    || nanos.get() - session.createdNanos() > 120_000_000_000L) {
                build();
                session = bAtA.keypairs().current();
            }
            InetSocketAddress source = SOURCES[(control >>> 2) & 3];
            OverlayInternals.forceUnderLoad(b, (control & 0x10) != 0);
            long unknownBefore = b.drops().get(DropReason.UNKNOWN_INDEX);
            int mode = control & 3;
            byte[] datagram = switch (mode) {
                case 0 -> {
                    if ((control & 0x20) != 0 && (payload.length == Protocol.INITIATION_SIZE || payload.length == Protocol.RESPONSE_SIZE)) {
                        bAtA.cookieGenerator().addMacs(ByteBuffer.wrap(payload));
                    }
                    yield payload;
                }
                case 1 -> seal(session, payload);
                case 2 -> seal(session, vxlan(payload));
                default -> {
                    if (payload.length >= 20) {
                        ByteBuffer.wrap(payload).putInt(12, VTEP_A).putInt(16, VTEP_B);
                    }
                    yield seal(session, payload);
                }
            };
            deliver(b, datagram, source);
            if (mode != 0 && b.drops().get(DropReason.UNKNOWN_INDEX) != unknownBefore) {
                rebuild = true;  // B moved on from the session A seals with
            }
            if (step == 3) {
                b.tick();
            }
            drain(true);
            OverlayInternals.forceUnderLoad(b, false);
            assertEquals(0, b.drops().get(DropReason.INTERNAL_ERROR), "exception in B's data path (see log)");
            assertEquals(0, a.drops().get(DropReason.INTERNAL_ERROR), "exception in A's data path (see log)");
            assertTrue(segment.macTableSize() <= MAC_TABLE, "MAC table " + segment.macTableSize());
            assertTrue(segment.neighborTableSize() <= MAC_TABLE, "neighbor table " + segment.neighborTableSize());
        }

        /** A transport message from A to B carrying {@code plaintext}, sealed with A's live session. */
        private byte[] seal(Keypair session, byte[] plaintext) {
            long counter = session.nextSendCounter();
            ByteBuffer message = ByteBuffer.allocate(Protocol.TRANSPORT_HEADER_SIZE + plaintext.length + Protocol.TAG_SIZE)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            message.putInt(Protocol.MESSAGE_TRANSPORT).putInt(session.remoteIndex()).putLong(counter);
            message.put(plaintext);
            ByteBuffer in = message.duplicate().position(Protocol.TRANSPORT_HEADER_SIZE).limit(Protocol.TRANSPORT_HEADER_SIZE + plaintext.length);
            ByteBuffer out = message.duplicate().position(Protocol.TRANSPORT_HEADER_SIZE).limit(message.capacity());
            session.seal(counter, in.slice(), out.slice());
            return message.array();
        }

        /** IPv4 VTEP_A -> VTEP_B, UDP to 4789, VXLAN header for {@link #VNI}, then {@code frame}. */
        private static byte[] vxlan(byte[] frame) {
            ByteBuffer b = ByteBuffer.allocate(20 + 8 + 8 + frame.length);
            Ipv4Packets.header(b, b.capacity() & 0xffff, Ipv4Packets.UDP, VTEP_A, VTEP_B, frame.length, 0);
            b.putShort((short) 50000).putShort((short) 4789).putShort((short) (16 + frame.length)).putShort((short) 0);
            b.putInt(0x0800_0000).putInt(VNI << 8);
            b.put(frame);
            return b.array();
        }
    }
}
