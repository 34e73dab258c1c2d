package io.ocbridge.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.overlay.PacketLayout;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One IP packet through the whole overlay, in memory: site A's {@code Inside} (route, pad, seal) hands the datagram
 * to site B's {@code Outside} (index lookup, open, replay window, source check, plaintext buffer) and B writes it to
 * its "device". Against {@link TransportBenchmark}'s seal plus open, the difference is what the overlay itself costs
 * per packet. The kernel (devices, sockets, offloads) is not in it: that is {@code bench/compare.sh}. Allocation is
 * held by {@code OverlayAllocationTest} (bridge-core), not here: {@code -prof gc} would count buffer objects that Netty
 * recycles only on its own threads, not on JMH's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The daemon runs on Netty event-loop threads, which get the pooled allocator's thread cache; a JMH thread gets it
// only with this switch (Netty 4.2's default is event-loop threads only).
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.allocator.useCacheForAllThreads=true", "--enable-native-access=ALL-UNNAMED"})
public class DataPathBenchmark {
    private static final InetSocketAddress ADDR_A = new InetSocketAddress("192.0.2.1", 51820);
    private static final InetSocketAddress ADDR_B = new InetSocketAddress("192.0.2.2", 51820);

    /** IP packet bytes (1420 is a full packet at the default overlay MTU). */
    @Param({"64", "1420"})
    int size;

    private final ArrayDeque<Object[]> inFlight = new ArrayDeque<>();
    private Site a;
    private Site b;
    private byte[] packet;

    /** One site's I/O: datagrams queue for the other site, device writes are counted. */
    private final class Site implements OverlayIo {
        final InetSocketAddress address;
        Overlay overlay;
        long deviceWrites;

        Site(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public boolean send(ByteBuf datagram, InetSocketAddress recipient) {
            inFlight.addLast(new Object[] {datagram, address, recipient});
            return true;
        }

        @Override
        public void flush() {}

        @Override
        public boolean writeToDevice(ByteBuf packet) {
            deviceWrites++;
            return true;
        }

        @Override
        public ByteBufAllocator alloc() {
            return PooledByteBufAllocator.DEFAULT;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        Log log = Log.with("bench");
        a = new Site(ADDR_A);
        b = new Site(ADDR_B);
        a.overlay = new Overlay("corp", 1420, new LocalIdentity(keyA), a, System::nanoTime, Clock.systemUTC(), log);
        b.overlay = new Overlay("corp", 1420, new LocalIdentity(keyB), b, System::nanoTime, Clock.systemUTC(), log);
        a.overlay.addPeer("b", keyB.publicKey(), PresharedKey.zero(), ADDR_B, List.of(Cidr.parse("10.77.0.2/32")), 0);
        b.overlay.addPeer("a", keyA.publicKey(), PresharedKey.zero(), ADDR_A, List.of(Cidr.parse("10.77.0.1/32")), 0);
        packet = ipv4(size);
        sendOne();  // the handshake, then the staged packet
        if (b.deviceWrites != 1) {
            throw new IllegalStateException("no session: B wrote " + b.deviceWrites + " packets");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        deliver();
        a.overlay.close();
        b.overlay.close();
    }

    @Benchmark
    public long packetThroughTheOverlay() {
        sendOne();
        return b.deviceWrites;
    }

    private void sendOne() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(PacketLayout.capacityFor(1420));
        buf.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM).writeBytes(packet);
        a.overlay.inside().onDevicePacket(buf);
        deliver();
    }

    private void deliver() {
        for (int i = 0; i < 64 && !inFlight.isEmpty(); i++) {
            Object[] f = inFlight.pollFirst();
            Site to = f[2].equals(ADDR_A) ? a : b;
            to.overlay.outside().onDatagram((ByteBuf) f[0], (InetSocketAddress) f[1]);
        }
    }

    /** An IPv4 packet of {@code bytes} from 10.77.0.1 to 10.77.0.2 (UDP, zero payload). */
    private static byte[] ipv4(int bytes) {
        byte[] p = new byte[bytes];
        p[0] = 0x45;
        p[2] = (byte) (bytes >>> 8);
        p[3] = (byte) bytes;
        p[8] = 64;
        p[9] = 17;
        p[12] = 10; p[13] = 77; p[14] = 0; p[15] = 1;
        p[16] = 10; p[17] = 77; p[18] = 0; p[19] = 2;
        return p;
    }
}
