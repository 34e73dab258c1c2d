package io.ocbridge.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.HandshakeCounters;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.MemoryOverlayIo;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Issue #5, scale: one overlay with many peers. A main program, not JMH (the figures are one-shot
 * start-up times, heap deltas and a sustained rate); run it with {@code bench/scale.sh}. Prints:
 * <ul>
 *   <li>start-up: time to add N peers (each a /32 and a /24) to an in-memory overlay, and the cost of the
 *       timer tick that walks them all;
 *   <li>heap per idle peer, retained (heap after full GCs, before and after), split into key
 *       material / handshake state, the peer object itself, the allowed-ips trie and the rest;
 *   <li>the config loader on a generated N-peer YAML with real keys;
 *   <li>sustained handshakes: many initiators against one responder overlay, on this one thread,
 *       for a fixed wall time, as completed handshakes per second of thread CPU time.
 * </ul>
 * Figures only; nothing here asserts a speed.
 */
public final class ScaleBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int handshakeSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int initiators = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        System.out.printf("ScaleBench: %d peers, %d s of handshakes from %d initiators, JDK %s, %s%n", peers,
                handshakeSeconds, initiators, Runtime.version(), ManagementFactory.getRuntimeMXBean().getInputArguments());

        List<PublicKey> keys = publicKeys(peers);
        startup(keys);
        heapPerPeer(keys);
        configLoad(peers);
        handshakes(initiators, handshakeSeconds);
    }

    // --- start-up --------------------------------------------------------------------------

    private static void startup(List<PublicKey> keys) {
        for (int round = 1; round <= 3; round++) {  // round 1 includes class loading and JIT warm-up
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            Overlay overlay = overlayWith(keys);
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
            long nanos = System.nanoTime() - start;
            System.out.printf("SCALE startup round %d: %d peers added in %.1f ms, %.1f ms CPU (%.1f us CPU/peer)%n",
                    round, overlay.peers().size(), nanos / 1e6, cpu / 1e6, cpu / 1e3 / keys.size());
            if (round == 3) {
                tick(overlay);
            }
            overlay.close();
        }
    }

    /** The timer tick walks every peer (the daemon calls it every ~20 ms): its cost with all peers idle. */
    private static void tick(Overlay overlay) {
        overlay.start();
        int ticks = 2_000;
        for (int i = 0; i < ticks / 4; i++) {
            overlay.tick();  // warm-up
        }
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < ticks; i++) {
            overlay.tick();
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
        System.out.printf("SCALE tick: %d idle peers: %.1f us CPU per tick (%.2f%% of a core at one tick per 20 ms)%n",
                overlay.peers().size(), cpu / 1e3 / ticks, cpu / 1e3 / ticks / 20_000 * 100);
    }

    // --- heap --------------------------------------------------------------------------------

    private static void heapPerPeer(List<PublicKey> keys) {
        int n = keys.size();
        LocalIdentity identity = new LocalIdentity(PrivateKey.generate());
        LongSupplier clock = System::nanoTime;

        long before = usedHeap();
        Overlay overlay = overlayWith(keys);
        long total = usedHeap() - before;
        Reference.reachabilityFence(overlay);
        overlay = null;

        // The parts, each built alone for n peers (the public keys are held by the caller throughout).
        before = usedHeap();
        List<Object> handshakeState = new ArrayList<>(n);
        for (PublicKey key : keys) {
            handshakeState.add(new PeerHandshake(identity, key, PresharedKey.zero(), Clock.systemUTC(), clock));
            handshakeState.add(new CookieGenerator(key, clock));
        }
        long handshake = usedHeap() - before - arrayListBytes(2L * n);
        Reference.reachabilityFence(handshakeState);
        handshakeState = null;

        before = usedHeap();
        List<Peer> shells = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            shells.add(new Peer(peerName(i), keys.get(i), null, null, null, 0));
        }
        long peer = usedHeap() - before - arrayListBytes(n);
        Reference.reachabilityFence(shells);
        shells = null;

        before = usedHeap();
        AllowedIps<Object> trie = new AllowedIps<>();
        for (int i = 0; i < n; i++) {
            Object value = new Object();
            trie.insert(hostPrefix(i), value);
            trie.insert(sitePrefix(i), value);
        }
        long allowed = usedHeap() - before - 16L * n;  // minus the n placeholder values
        Reference.reachabilityFence(trie);

        long rest = total - handshake - peer - allowed;
        System.out.printf("SCALE heap: %d peers retain %d KiB: %d bytes/peer%n", n, total >> 10, total / n);
        System.out.printf("SCALE heap/peer: key material + handshake state (PeerHandshake, CookieGenerator) %d bytes%n",
                handshake / n);
        System.out.printf("SCALE heap/peer: beyond keys %d bytes = Peer (timers, keypair slots, staged queue, name) %d"
                + " + allowed-ips trie (/32 + /24) %d + overlay tables %d%n", (total - handshake) / n, peer / n, allowed / n,
                rest / n);
    }

    /** Used heap after collecting garbage until it stops shrinking. */
    private static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used && i >= 3) {
                return Math.min(now, used);
            }
            used = Math.min(used, now);
        }
        return used;
    }

    /** The backing array of an ArrayList of {@code size} (compressed references). */
    private static long arrayListBytes(long size) {
        return 16 + 4 * size;
    }

    // --- config loader -------------------------------------------------------------------------

    private static void configLoad(int peers) throws IOException {
        Path folder = Files.createTempDirectory("ocb-scale");
        try {
            Path keyFile = folder.resolve("site.key");
            Files.writeString(keyFile, PrivateKey.generate().toBase64() + "\n");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            List<String> encoded = new ArrayList<>(peers);
            for (int i = 0; i < peers; i++) {
                encoded.add(PrivateKey.generate().publicKey().toBase64());
            }
            for (int n : new int[] {1_000, peers / 2, peers}) {
                Path config = folder.resolve("site-" + n + ".yaml");
                Files.writeString(config, yaml(encoded.subList(0, n)), StandardCharsets.UTF_8);
                long bytes = Files.size(config);
                for (int round = 1; round <= 3; round++) {
                    long start = System.nanoTime();
                    long cpuStart = THREADS.getCurrentThreadCpuTime();
                    String outcome;
                    try {
                        SiteConfig site = ConfigLoader.load(config);
                        outcome = "ok, " + site.overlays().get(0).peers().size() + " peers";
                    } catch (ConfigException e) {
                        outcome = "refused: " + e.getMessage().lines().findFirst().orElse("").replace(folder + "/", "");
                    }
                    long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
                    long nanos = System.nanoTime() - start;
                    System.out.printf("SCALE config load round %d: %d peers, %d KiB YAML: %.1f ms (%.1f ms CPU), %s%n",
                            round, n, bytes >> 10, nanos / 1e6, cpu / 1e6, outcome);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A site with one overlay of {@code keys.size()} peers, each with an endpoint, a /32 and a /24, block style. */
    private static String yaml(List<String> keys) {
        StringBuilder out = new StringBuilder(keys.size() * 200);
        out.append("""
                site: hub
                private-key-file: site.key
                overlays:
                  - name: corp
                    device: ocb-corp
                    listen-port: 51820
                    addresses: [100.64.0.1/10]
                    peers:
                """);
        for (int i = 0; i < keys.size(); i++) {
            out.append("      - name: ").append(peerName(i)).append('\n')
                    .append("        public-key: ").append(keys.get(i)).append('\n')
                    .append("        endpoint: 198.18.").append(i >> 8 & 0xff).append('.').append(i & 0xff).append(":51820\n")
                    .append("        allowed-ips: [").append(hostPrefix(i)).append(", ").append(sitePrefix(i)).append("]\n");
        }
        return out.toString();
    }

    // --- sustained handshakes ------------------------------------------------------------------

    /**
     * Initiators (one handshake state and cookie generator each, with a distinct source address)
     * take turns initiating to one responder overlay; real clocks, so the responder's per-peer
     * 20 ms flood check, its under-load cookie demand and per-source rate limit all apply. A cookie
     * reply is consumed and the initiation sent again, as a real initiator would on its retry.
     */
    private static void handshakes(int count, int seconds) {
        LastReply replies = new LastReply();
        MemoryOverlayIo io = new MemoryOverlayIo(UnpooledByteBufAllocator.DEFAULT, replies);
        PrivateKey responderKey = PrivateKey.generate();
        LocalIdentity responder = new LocalIdentity(responderKey);
        Overlay overlay = new Overlay("corp", 1420, responder, io, System::nanoTime, Clock.systemUTC(), Log.with("scale"));
        PeerHandshake[] handshakes = new PeerHandshake[count];
        CookieGenerator[] cookies = new CookieGenerator[count];
        InetSocketAddress[] sources = new InetSocketAddress[count];
        for (int i = 0; i < count; i++) {
            LocalIdentity initiator = new LocalIdentity(PrivateKey.generate());
            overlay.addPeer(peerName(i), initiator.publicKey(), PresharedKey.zero(), null,
                    List.of(hostPrefix(i), sitePrefix(i)), 0);
            handshakes[i] = new PeerHandshake(initiator, responder.publicKey(), PresharedKey.zero(), Clock.systemUTC(),
                    System::nanoTime);
            cookies[i] = new CookieGenerator(responder.publicKey(), System::nanoTime);
            sources[i] = new InetSocketAddress("198.18." + (i >> 8 & 0xff) + "." + (i & 0xff), 51820);
        }
        overlay.start();

        ByteBuffer initiation = ByteBuffer.allocate(Protocol.INITIATION_SIZE);
        long completed = 0;
        long initiationsSent = 0;
        long cookieReplies = 0;
        long unanswered = 0;
        long responderCpu = 0;
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        long wallEnd = wallStart + seconds * 1_000_000_000L;
        int i = 0;
        while (System.nanoTime() - wallEnd < 0) {
            for (int attempt = 0; attempt < 2; attempt++) {  // a second attempt only after a cookie reply
                initiation.clear();
                handshakes[i].createInitiation(i + 1, initiation);
                initiation.flip();
                cookies[i].addMacs(initiation.duplicate());
                ByteBuf datagram = io.alloc().buffer(Protocol.INITIATION_SIZE);
                datagram.writeBytes(initiation);
                initiationsSent++;
                long t0 = THREADS.getCurrentThreadCpuTime();
                overlay.outside().onDatagram(datagram, sources[i]);
                responderCpu += THREADS.getCurrentThreadCpuTime() - t0;
                ByteBuf reply = replies.take();
                if (reply == null) {
                    unanswered++;
                    break;
                }
                try {
                    ByteBuffer view = reply.nioBuffer();
                    int type = view.get(0);
                    if (type == Protocol.MESSAGE_RESPONSE) {
                        Keypair keypair = handshakes[i].consumeResponse(view);
                        if (keypair != null) {
                            completed++;
                            keypair.destroy();
                        }
                        break;
                    }
                    if (type == Protocol.MESSAGE_COOKIE_REPLY) {
                        cookieReplies++;
                        cookies[i].consumeReply(view);
                    }
                } finally {
                    reply.release();
                }
            }
            i = (i + 1) % count;
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        Map<HandshakeCounters.Event, Long> counters = nonZero(overlay.handshakes().snapshot());
        System.out.printf("SCALE handshakes: %d completed in %.1f s wall, %.1f s CPU on one thread: %.0f handshakes/s"
                + " (initiator and responder work on the same core)%n", completed, wall / 1e9, cpu / 1e9, completed / (cpu / 1e9));
        System.out.printf("SCALE handshakes: responder alone %.1f s CPU: %.0f handshakes/s per responder core%n",
                responderCpu / 1e9, completed / (responderCpu / 1e9));
        System.out.printf("SCALE handshakes: %d initiations sent, %d cookie replies, %d unanswered; responder counters %s;"
                + " drops %s%n", initiationsSent, cookieReplies, unanswered, counters, nonZero(overlay.drops().snapshot()));
        overlay.close();
    }

    /** The counters that are not zero. */
    private static <K> Map<K, Long> nonZero(Map<K, Long> counters) {
        Map<K, Long> out = new LinkedHashMap<>();
        counters.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The datagram the responder sent last (any before it released), kept for the bench loop to take. */
    private static final class LastReply implements MemoryOverlayIo.Outbox {
        private ByteBuf last;

        @Override
        public void accept(ByteBuf datagram, InetSocketAddress recipient) {
            if (last != null) {
                last.release();
            }
            last = datagram;
        }

        ByteBuf take() {
            ByteBuf b = last;
            last = null;
            return b;
        }
    }

    // --- shared --------------------------------------------------------------------------------

    private static List<PublicKey> publicKeys(int n) {
        long start = System.nanoTime();
        List<PublicKey> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(PrivateKey.generate().publicKey());
        }
        System.out.printf("SCALE setup: %d key pairs generated in %.1f ms (not part of start-up)%n", n,
                (System.nanoTime() - start) / 1e6);
        return keys;
    }

    private static Overlay overlayWith(List<PublicKey> keys) {
        Overlay overlay = new Overlay("corp", 1420, new LocalIdentity(PrivateKey.generate()),
                new MemoryOverlayIo(UnpooledByteBufAllocator.DEFAULT, MemoryOverlayIo.DISCARD),
                System::nanoTime, Clock.systemUTC(), Log.with("scale"));
        for (int i = 0; i < keys.size(); i++) {
            overlay.addPeer(peerName(i), keys.get(i), PresharedKey.zero(), null, List.of(hostPrefix(i), sitePrefix(i)), 0);
        }
        return overlay;
    }

    private static String peerName(int i) {
        return "site-" + i;
    }

    /** The peer's overlay address: 100.64.0.0/10 has room for 4M of them. */
    private static Cidr hostPrefix(int i) {
        return Cidr.ofV4(0x6440_0000 + i + 2, 32);
    }

    /** The peer's site subnet: 10.128.0.0/9 has room for 32768 /24s. */
    private static Cidr sitePrefix(int i) {
        return Cidr.ofV4(0x0A80_0000 + (i << 8), 24);
    }
}
