package io.ocbridge.bench;

import io.ocbridge.core.overlay.BackToBack;
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
 * its "device" ({@code BackToBack}, from bridge-core's tests). Against {@link TransportBenchmark}'s seal plus open,
 * the difference is what the overlay itself costs per packet. The kernel (devices, sockets, offloads) is not in it:
 * that is {@code bench/compare.sh}. Allocation is held by {@code OverlayAllocationTest} (bridge-core), not here:
 * {@code -prof gc} would count buffer objects that Netty recycles only on its own threads, not on JMH's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The daemon runs on Netty event-loop threads, which get the pooled allocator's thread cache; a JMH thread gets it
// only with this switch (Netty 4.2's default is event-loop threads only).
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.allocator.useCacheForAllThreads=true", "--enable-native-access=ALL-UNNAMED"})
public class DataPathBenchmark {
    /** IP packet bytes (1420 is a full packet at the default overlay MTU). */
    @Param({"64", "1420"})
    int size;

    private BackToBack sites;
    private byte[] packet;

    @Setup(Level.Trial)
    public void setUp() {
        sites = new BackToBack(1420);
        packet = BackToBack.packetFromAToB(size);
        sites.sendFromA(packet);  // the handshake, then the staged packet
        if (sites.deviceWritesAtB() != 1) {
            throw new IllegalStateException("no session: B wrote " + sites.deviceWritesAtB() + " packets");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sites.close();
    }

    @Benchmark
    public long packetThroughTheOverlay() {
        sites.sendFromA(packet);
        return sites.deviceWritesAtB();
    }
}
