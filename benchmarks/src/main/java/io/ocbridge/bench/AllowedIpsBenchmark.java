package io.ocbridge.bench;

import io.ocbridge.core.route.AllowedIps;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Longest-prefix lookup cost with many prefixes (issue #5: 100k prefixes). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AllowedIpsBenchmark {
    @Param({"1000", "100000"})
    int prefixes;

    private AllowedIps<Integer> table;
    private int[] addresses;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        table = new AllowedIps<>();
        for (int i = 0; i < prefixes; i++) {
            int length = 16 + random.nextInt(17);
            byte[] address = new byte[4];
            int value = random.nextInt();
            address[0] = (byte) (value >>> 24);
            address[1] = (byte) (value >>> 16);
            address[2] = (byte) (value >>> 8);
            address[3] = (byte) value;
            table.insert(address, length, i % 10_000);
        }
        addresses = new int[4096];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = random.nextInt();
        }
    }

    @Benchmark
    public Integer lookupV4() {
        next = (next + 1) & (addresses.length - 1);
        return table.lookupV4(addresses[next]);
    }
}
