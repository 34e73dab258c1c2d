package io.ocbridge.core;

import static io.ocbridge.core.testing.Frames.arp;
import static io.ocbridge.core.testing.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.control.ControlClient;
import io.ocbridge.core.control.ControlServer;
import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.control.StatusUnavailableException;
import io.ocbridge.core.ip.Ipv4Reassembler;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentCounters.Event;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.DropReason;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayInternals;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.Ipv4Packets;
import io.ocbridge.core.testing.ManualClock;
import io.ocbridge.core.testing.MemoryOverlayIo;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.core.uapi.DeviceState;
import io.ocbridge.core.uapi.SetRequest;
import io.ocbridge.core.uapi.UapiDevice;
import io.ocbridge.core.uapi.UapiException;
import io.ocbridge.core.uapi.UapiServer;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: every structure the network can fill is bounded and counts what it turns away. Each test fills one past
 * its bound, asserts the bound holds and the counter counts the excess, and prints a {@code SUMMARY bound} line.
 * In memory, with a virtual clock; the two sockets are real Unix sockets in a temporary folder.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class ResourceBoundsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Log LOG = Log.with("test=bounds");
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final long BROADCAST = 0xffff_ffff_ffffL;
    private static final long LOCAL_HOST = 0x0200_0000_0001L;
    private static final long AGING_NANOS = 300 * SECOND;

    private final ManualClock nanos = new ManualClock(5 * SECOND);
    private final Clock wallClock = nanos.wall();
    /** Datagrams the overlays send go nowhere (released); device writes succeed. */
    private final MemoryOverlayIo nowhere = MemoryOverlayIo.discarding();
    private final List<Overlay> overlays = new ArrayList<>();
    private final Map<Overlay, PublicKey> overlayKeys = new HashMap<>();
    private final List<Ipv4Reassembler> reassemblers = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        overlays.forEach(Overlay::close);
        reassemblers.forEach(Ipv4Reassembler::clear);
    }

    private static void summary(String bound, long limit, long offered, long held, long dropped) {
        System.out.printf("SUMMARY bound %s: limit %d, offered %d, held %d, dropped %d%n", bound, limit, offered, held,
                dropped);
    }

    // ---- L2 segment ----------------------------------------------------------------------------------

    /** Bound: a segment's MAC table holds mac-table-size MACs; others are not learned (MAC_TABLE_FULL). */
    @Test
    void macTable() {
        Overlay overlay = overlay();
        Peer peer = peer(overlay, 2);
        int limit = 64;
        TapCount tap = new TapCount();
        Segment segment = segment(peer, limit, SegmentOptions.DEFAULTS, tap);
        int offered = 100;
        for (int i = 0; i < offered; i++) {
            fromPeer(segment, peer, frame(LOCAL_HOST, 0x0200_0000_1000L + i));
        }
        assertEquals(limit, segment.macTableSize());
        assertEquals(offered - limit, segment.counters().get(Event.MAC_TABLE_FULL));
        assertEquals(offered, tap.frames, "frames from unlearned MACs are still delivered");
        summary("mac-table", limit, offered, segment.macTableSize(), segment.counters().get(Event.MAC_TABLE_FULL));

        nanos.advanceNanos(AGING_NANOS - 1);
        segment.tick();
        assertEquals(limit, segment.macTableSize(), "not aged yet");
        nanos.advanceNanos(1);
        segment.tick();
        assertEquals(0, segment.macTableSize(), "aged MACs leave and make room");
        fromPeer(segment, peer, frame(LOCAL_HOST, 0x0200_0000_2000L));
        assertEquals(1, segment.macTableSize());
    }

    /** Bound: the ARP/ND suppression table holds mac-table-size bindings (NEIGHBOR_TABLE_FULL). */
    @Test
    void neighborTable() {
        Overlay overlay = overlay();
        Peer peer = peer(overlay, 2);
        int limit = 64;
        Segment segment = segment(peer, limit, SegmentOptions.DEFAULTS, new TapCount());
        int offered = 100;
        long vm = 0x0200_0000_0101L;
        for (int i = 0; i < offered; i++) {
            fromPeer(segment, peer, arp(2, LOCAL_HOST, vm, 0xC0A8_0000 + 1000 + i, LOCAL_HOST, 0xC0A8_0001));
        }
        assertEquals(limit, segment.neighborTableSize());
        assertEquals(offered - limit, segment.counters().get(Event.NEIGHBOR_TABLE_FULL));
        summary("neighbor-table", limit, offered, segment.neighborTableSize(),
                segment.counters().get(Event.NEIGHBOR_TABLE_FULL));

        nanos.advanceNanos(AGING_NANOS - 1);
        segment.tick();
        assertEquals(limit, segment.neighborTableSize(), "not aged yet");
        nanos.advanceNanos(1);
        segment.tick();
        assertEquals(0, segment.neighborTableSize(), "aged bindings leave and make room");
    }

    /** Bound: flooded frames per peer and direction, flood-limit per second with one second's burst (DROP_FLOOD_LIMIT). */
    @Test
    void floodLimiter() {
        Overlay overlay = overlay();
        Peer peer = peer(overlay, 2);
        int limit = 10;
        TapCount tap = new TapCount();
        Segment segment = segment(peer, 64, SegmentOptions.DEFAULTS.withFloodLimit(limit), tap);
        int offered = 25;
        for (int i = 0; i < offered; i++) {
            fromPeer(segment, peer, frame(BROADCAST, 0x0200_0000_0101L));
        }
        assertEquals(limit, tap.frames);
        assertEquals(offered - limit, segment.counters().get(Event.DROP_FLOOD_LIMIT));
        summary("flood-limit", limit, offered, tap.frames, segment.counters().get(Event.DROP_FLOOD_LIMIT));
    }

    // ---- overlay -------------------------------------------------------------------------------------

    /** Bound: the handshake rate limiter's table of sources, 8192 entries; new sources beyond are refused. */
    @Test
    void handshakeRateLimiterTable() throws IOException {
        OverlayInternals.RateLimiter limiter = new OverlayInternals.RateLimiter(nanos::get);
        int limit = OverlayInternals.RATE_LIMITER_CAPACITY;
        int offered = 100_000;
        int allowed = 0;
        for (int i = 0; i < offered; i++) {
            byte[] address = {(byte) 10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
            if (limiter.allow(InetAddress.getByAddress(address))) {
                allowed++;
            }
        }
        assertEquals(limit, limiter.size(), "every bucket fills with ~49 sources offered per bucket");
        assertEquals(limiter.size(), allowed);
        assertEquals(offered - allowed, limiter.tableFull(), "in the overlay these count as DropReason.RATE_LIMITED");
        summary("handshake-rate-limiter-table", limit, offered, limiter.size(), limiter.tableFull());
    }

    /** Bound: packets staged for a peer while its handshake runs, Peer.MAX_STAGED_PACKETS (STAGED_OVERFLOW). */
    @Test
    void stagedPacketQueue() {
        Overlay overlay = overlay();
        Peer peer = peer(overlay, 2);
        int limit = Peer.MAX_STAGED_PACKETS;
        int offered = limit + 72;
        for (int i = 0; i < offered; i++) {
            MemoryOverlayIo.fromDevice(overlay, ipv4(0xAC10_010A, 0x0A4D_0002, 0, 0, 8, i));
        }
        assertEquals(limit, peer.stagedCount());
        assertEquals(offered - limit, overlay.drops().get(DropReason.STAGED_OVERFLOW));
        summary("staged-packets-per-peer", limit, offered, peer.stagedCount(),
                overlay.drops().get(DropReason.STAGED_OVERFLOW));
    }

    /**
     * Bound: receiver indexes, at most 4 per peer (a pending initiation and the three keypair slots); each new
     * handshake retires the index it replaces, so repeated handshakes do not grow the table.
     */
    @Test
    void indexTable() {
        Overlay responder = overlay();
        int peers = 10;
        int rounds = 20;
        List<Initiator> initiators = new ArrayList<>();
        for (int p = 0; p < peers; p++) {
            initiators.add(new Initiator(responder, p + 2));
        }
        for (int round = 0; round < rounds; round++) {
            for (Initiator initiator : initiators) {
                nanos.advanceNanos(30_000_000L);  // past the per-peer 20 ms flood check, under the load threshold
                initiator.initiate(new InetSocketAddress("192.0.2." + initiator.host, 51820));
            }
        }
        int held = OverlayInternals.indexTableSize(responder);
        int offered = peers * rounds;
        assertEquals(offered, responder.handshakes().get(HandshakeCounters.Event.RESPONSE_SENT));
        assertTrue(held <= 4 * peers, held + " indexes for " + peers + " peers");
        assertEquals(peers, held, "one unconfirmed responder keypair (next) per peer");
        summary("index-table (dropped = retired)", 4L * peers, offered, held, offered - held);
    }

    /** Bound: one endpoint per peer; an authenticated packet from a new source replaces it (roaming), never adds. */
    @Test
    void peerEndpoints() {
        Overlay responder = overlay();
        Initiator initiator = new Initiator(responder, 2);
        int offered = 20;
        InetSocketAddress last = null;
        for (int i = 0; i < offered; i++) {
            nanos.advanceNanos(30_000_000L);
            last = new InetSocketAddress("198.51.100." + (i + 1), 40_000 + i);
            initiator.initiate(last);
        }
        assertEquals(last, initiator.peer.endpoint());
        summary("peer-endpoints-per-peer (dropped = replaced)", 1, offered, 1, offered - 1);
    }

    // ---- IPv4 reassembly (VXLAN fragments) -----------------------------------------------------------

    /** Bound: datagrams pending reassembly, maxDatagrams (the overlay uses 1024); the oldest is evicted. */
    @Test
    void reassemblyDatagrams() {
        int limit = 16;
        Ipv4Reassembler reassembler = reassembler(1 << 20, limit);
        int offered = 40;
        for (int id = 0; id < offered; id++) {
            assertEquals(null, reassembler.offer(fragment(id, 0, true, 8)));
        }
        long dropped = reassembler.discarded(Ipv4Reassembler.Discard.TOO_MANY_DATAGRAMS);
        assertEquals(limit, reassembler.pendingDatagrams());
        assertEquals(offered - limit, dropped);
        summary("reassembly-datagrams", limit, offered, reassembler.pendingDatagrams(), dropped);
    }

    /** Bound: bytes held for pending datagrams, maxBytes (the overlay uses 4 MiB); older datagrams are evicted. */
    @Test
    void reassemblyBytes() {
        int limit = 16 << 10;
        Ipv4Reassembler reassembler = reassembler(limit, 1024);
        int offered = 20;
        int offset = 4000;  // each stray fragment costs a buffer up to its offset
        for (int id = 0; id < offered; id++) {
            assertEquals(null, reassembler.offer(fragment(id, offset, true, 8)));
        }
        long dropped = reassembler.discarded(Ipv4Reassembler.Discard.NO_MEMORY);
        assertTrue(reassembler.pendingBytes() <= limit, reassembler.pendingBytes() + " bytes pending");
        assertEquals(offered - reassembler.pendingDatagrams(), dropped);
        assertTrue(dropped > 0);
        summary("reassembly-bytes (offered/held in bytes, dropped in datagrams)", limit, (long) offered * (offset + 8),
                reassembler.pendingBytes(), dropped);
    }

    // ---- control and UAPI sockets --------------------------------------------------------------------

    /** Bound: control socket connections served at once, 16; more are answered "error: busy" and closed. */
    @Test
    void controlConnections() throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = ControlServer.start(socket, ResourceBoundsTest::noStatus, LOG)) {
            int offered = connectPastBound(socket, 16, 4, "error: busy\n");
            assertEquals(offered - 16, server.refusedConnections());
            summary("control-connections", 16, offered, 16, server.refusedConnections());
        }
    }

    /** Bound: a control request line, 256 bytes; a longer one is answered with an error and counted. */
    @Test
    void controlRequestSize() throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = ControlServer.start(socket, ResourceBoundsTest::noStatus, LOG)) {
            int offered = 1000;
            String reply = ControlClient.request(socket, "x".repeat(offered), TIMEOUT);
            assertTrue(reply.startsWith("error: unknown request \"(longer than 256 bytes)\""), reply);
            assertEquals(1, server.oversizeRequests());
            summary("control-request-bytes (dropped in requests)", ControlServer.MAX_REQUEST_BYTES, offered,
                    ControlServer.MAX_REQUEST_BYTES, server.oversizeRequests());
        }
    }

    /** Bound: UAPI connections served at once, 16; more are closed unanswered. */
    @Test
    void uapiConnections() throws Exception {
        Path socket = dir.resolve("u.sock");
        try (UapiServer server = UapiServer.start(socket, new NoDevice(), LOG)) {
            int offered = connectPastBound(socket, 16, 4, "");
            assertEquals(offered - 16, server.refusedConnections());
            summary("uapi-connections", 16, offered, 16, server.refusedConnections());
        }
    }

    /** Bound: a UAPI line, 4096 bytes; a longer one is answered EMSGSIZE and the connection closed. */
    @Test
    void uapiLineSize() throws Exception {
        Path socket = dir.resolve("u.sock");
        try (UapiServer server = UapiServer.start(socket, new NoDevice(), LOG);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            int offered = 5000;
            client.write(StandardCharsets.UTF_8.encode("x".repeat(offered) + "\n"));
            assertEquals("errno=-" + UapiException.EMSGSIZE + "\n\n", readToEnd(client));
            assertEquals(1, server.oversizeRequests());
            summary("uapi-line-bytes (dropped in requests)", 4096, offered, 4096, server.oversizeRequests());
        }
    }

    /** Bound: a UAPI request (its lines up to the blank one), 1 MiB; a bigger one is answered EMSGSIZE. */
    @Test
    void uapiRequestSize() throws Exception {
        Path socket = dir.resolve("u.sock");
        try (UapiServer server = UapiServer.start(socket, new NoDevice(), LOG);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            String line = "a".repeat(3999) + "\n";
            int lines = 263;  // the bound is crossed in the last line: nothing is left unsent when the server answers
            int offered = "set=1\n".length() + lines * line.length();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.write(StandardCharsets.UTF_8.encode("set=1\n"));
                    for (int i = 0; i < lines; i++) {
                        client.write(StandardCharsets.UTF_8.encode(line));
                    }
                } catch (IOException e) {
                    // the server stopped reading at the bound and closed: expected
                }
            });
            assertEquals("errno=-" + UapiException.EMSGSIZE + "\n\n", readToEnd(client));
            writer.join();
            assertEquals(1, server.oversizeRequests());
            summary("uapi-request-bytes (dropped in requests)", 1 << 20, offered, 1 << 20, server.oversizeRequests());
        }
    }

    // ---- fixtures ------------------------------------------------------------------------------------

    private Overlay overlay() {
        LocalIdentity identity = new LocalIdentity(PrivateKey.generate());
        Overlay overlay = new Overlay("corp", 1420, identity, nowhere, nanos::get, wallClock, LOG);
        overlays.add(overlay);
        overlayKeys.put(overlay, identity.publicKey());
        return overlay;
    }

    /** A peer at 192.0.2.{host}, overlay address 10.77.0.{host}. */
    private static Peer peer(Overlay overlay, int host) {
        return overlay.addPeer("site-" + host, PrivateKey.generate().publicKey(), PresharedKey.zero(),
                new InetSocketAddress("192.0.2." + host, 51820), List.of(Cidr.parse("10.77.0." + host + "/32")), 0);
    }

    /** The initiator side of one peer, as bare handshake state, so each initiation costs the responder only. */
    private final class Initiator {
        final int host;
        final Peer peer;
        final PeerHandshake handshake;
        final CookieGenerator cookies;
        final Overlay responder;

        Initiator(Overlay responder, int host) {
            this.host = host;
            this.responder = responder;
            LocalIdentity identity = new LocalIdentity(PrivateKey.generate());
            this.peer = responder.addPeer("site-" + host, identity.publicKey(), PresharedKey.zero(), null,
                    List.of(Cidr.parse("10.77.0." + host + "/32")), 0);
            PublicKey responderKey = overlayKeys.get(responder);
            this.handshake = new PeerHandshake(identity, responderKey, PresharedKey.zero(), wallClock, nanos::get);
            this.cookies = new CookieGenerator(responderKey, nanos::get);
        }

        void initiate(InetSocketAddress source) {
            ByteBuffer message = ByteBuffer.allocate(Protocol.INITIATION_SIZE);
            handshake.createInitiation(host, message);
            message.flip();
            cookies.addMacs(message.duplicate());
            ByteBuf datagram = ALLOC.directBuffer(Protocol.INITIATION_SIZE);
            datagram.writeBytes(message);
            responder.outside().onDatagram(datagram, source);
            responder.processHandshakes();
        }
    }

    private Segment segment(Peer peer, int macTableSize, SegmentOptions options, TapCount tap) {
        return new Segment(new SegmentSpec("lan", "ocb-lan", 100, 0x0A4D_0001, 1420, 0, 0, macTableSize, AGING_NANOS,
                options),
                List.of(new Segment.Member(peer, 0x0A4D_0002)), (to, packet) -> packet.release(),
                tap,
                ALLOC, nanos::get, LOG);
    }

    /** Counts frames written to the TAP (borrowed, not kept). */
    private static final class TapCount implements Segment.FrameSink {
        int frames;

        @Override
        public boolean write(ByteBuf frame) {
            frames++;
            return true;
        }
    }

    private static void fromPeer(Segment segment, Peer peer, byte[] frame) {
        ByteBuf buf = ALLOC.directBuffer(Vxlan.ENCAP_BYTES + frame.length);
        buf.writeZero(Vxlan.ENCAP_BYTES);
        buf.writeBytes(frame);
        segment.onRemoteFrame(peer, buf, Vxlan.ENCAP_BYTES);
    }

    /** An IPv4 UDP packet (header checksum valid) with {@code payloadBytes} of payload at fragment {@code offset}. */
    private static byte[] ipv4(int src, int dst, int id, int flagsAndOffset, int payloadBytes, int seed) {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payloadBytes; i++) {
            payload[i] = (byte) (seed + i);
        }
        return Ipv4Packets.packet(Ipv4Packets.UDP, src, dst, id, flagsAndOffset, payload);
    }

    private static ByteBuf fragment(int id, int offsetBytes, boolean more, int payloadBytes) {
        byte[] packet = ipv4(0x0A4D_0002, 0x0A4D_0001, id, (more ? 0x2000 : 0) | offsetBytes / 8, payloadBytes, id);
        ByteBuf buf = ALLOC.directBuffer(packet.length);
        buf.writeBytes(packet);
        return buf;
    }

    private Ipv4Reassembler reassembler(int maxBytes, int maxDatagrams) {
        Ipv4Reassembler reassembler = new Ipv4Reassembler(ALLOC, maxBytes, maxDatagrams, 30 * SECOND, nanos::get);
        reassemblers.add(reassembler);
        return reassembler;
    }

    private static SiteStatus noStatus() throws StatusUnavailableException {
        throw new StatusUnavailableException("no status in this test", null);
    }

    /**
     * Opens {@code limit} silent connections (each holds a slot while the server waits for its request), then
     * {@code extra} more, which must each read {@code refusal} and be closed. Returns how many were opened.
     */
    private static int connectPastBound(Path socket, int limit, int extra, String refusal) throws IOException {
        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < limit + extra; i++) {
                clients.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            }
            for (SocketChannel refused : clients.subList(limit, limit + extra)) {
                assertEquals(refusal, readToEnd(refused));
            }
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
        return limit + extra;
    }

    /** Everything the server sends until it closes. */
    private static String readToEnd(SocketChannel channel) throws IOException {
        StringBuilder text = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (channel.read(buffer.clear()) >= 0) {
            text.append(StandardCharsets.UTF_8.decode(buffer.flip()));
        }
        return text.toString();
    }

    /** A UAPI device that is never reached: these requests are refused before they are parsed. */
    private static final class NoDevice implements UapiDevice {
        @Override
        public DeviceState get(boolean withSecrets) throws UapiException {
            throw new UapiException(UapiException.EINVAL, "not in this test");
        }

        @Override
        public void set(SetRequest request) throws UapiException {
            throw new UapiException(UapiException.EINVAL, "not in this test");
        }
    }
}
