package io.ocbridge.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ocbridge.core.l2.MacTable;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.crypto.replay.ReplayFilter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Per-frame costs of the L2 path and the replay window. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class L2Benchmark {
    private static final int FRAME_AT = 64;
    private final MacTable<String> macs = new MacTable<>(4096, Long.MAX_VALUE / 2);
    private final ReplayFilter replay = new ReplayFilter();
    private ByteBuf frame;
    private long counter;
    private long mac;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < 4000; i++) {
            macs.learn(0x02_0000_000000L + i, "peer" + (i % 8), 0);
        }
        frame = Unpooled.directBuffer(FRAME_AT + 1514);
        frame.setIndex(FRAME_AT, FRAME_AT + 1514);
    }

    @Benchmark
    public String macLookup() {
        mac = (mac + 1) & 4095;
        return macs.lookup(0x02_0000_000000L + mac, 1);
    }

    @Benchmark
    public int vxlanEncapsulateAndParse() {
        frame.setIndex(FRAME_AT, FRAME_AT + 1514);
        Vxlan.encapsulate(frame, 100, 0x0a4d0001, 0x0a4d0002, 7);
        return Vxlan.vni(frame);
    }

    @Benchmark
    public boolean replayInOrder() {
        return replay.validateCounter(counter++, -1L - (1L << 13));
    }
}
