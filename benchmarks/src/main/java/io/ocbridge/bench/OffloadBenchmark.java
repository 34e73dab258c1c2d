package io.ocbridge.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.ip.Checksums;
import io.ocbridge.core.offload.TcpCoalescer;
import io.ocbridge.core.offload.TsoSplitter;
import io.ocbridge.core.offload.VirtioNetHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * TUN offload per operation: splitting one 64 KiB IPv4 TSO read at MSS 1380 (48 segments, pooled output buffers,
 * full TCP checksum each), coalescing 45 such segments into one super-packet (checksum verified per segment,
 * one 64 KiB copy), and the checksum loop itself.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OffloadBenchmark {
    private static final int MSS = 1380;
    private static final int HEADROOM = 32;
    private static final int IP_BYTES = 20;
    private static final int TCP_BYTES = 32;
    private static final int COALESCED_SEGMENTS = 45;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final TsoSplitter splitter = new TsoSplitter(alloc, HEADROOM, 16);
    private long written;
    private final TcpCoalescer coalescer = new TcpCoalescer(alloc, b -> {
        written += b.readableBytes();
        b.release();
    });
    private ByteBuf tsoRead;
    private final List<ByteBuf> segments = new ArrayList<>();
    private final int[] segmentBytes = new int[COALESCED_SEGMENTS];

    @Setup(Level.Trial)
    public void setUp() {
        int packetBytes = 65_535;
        tsoRead = alloc.directBuffer(VirtioNetHeader.SIZE + packetBytes);
        VirtioNetHeader.write(tsoRead, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4,
                IP_BYTES + TCP_BYTES, MSS, IP_BYTES, 16);
        tsoRead.writerIndex(VirtioNetHeader.SIZE);
        int ip = tsoRead.writerIndex();
        tsoRead.writeByte(0x45).writeByte(0).writeShort(packetBytes).writeShort(0x1234).writeShort(0x4000)
                .writeByte(64).writeByte(6).writeShort(0).writeInt(0x0a4d0001).writeInt(0x0a4d0002);
        tsoRead.setShort(ip + 10, Checksums.ipv4Header(tsoRead, ip));
        tsoRead.writeShort(40_000).writeShort(5201).writeInt(1_000_000).writeInt(77_777)
                .writeByte((TCP_BYTES / 4) << 4).writeByte(0x18).writeShort(502).writeShort(0).writeShort(0)
                .writeInt(0x0101080a).writeInt(123_456).writeInt(654_321);
        for (int i = tsoRead.writerIndex() - ip; i < packetBytes; i++) {
            tsoRead.writeByte(i * 31);
        }
        List<ByteBuf> all = new ArrayList<>();
        splitter.split(tsoRead, all::add);
        for (int i = 0; i < all.size(); i++) {
            if (i < COALESCED_SEGMENTS) {
                segmentBytes[i] = all.get(i).readableBytes();
                segments.add(all.get(i));
            } else {
                all.get(i).release();
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tsoRead.release();
        segments.forEach(ByteBuf::release);
    }

    @Benchmark
    public int split64KiB() {
        return splitter.split(tsoRead, ByteBuf::release);
    }

    @Benchmark
    public long coalesce45Segments() {
        for (int i = 0; i < COALESCED_SEGMENTS; i++) {
            ByteBuf s = segments.get(i);
            s.retain().setIndex(HEADROOM, HEADROOM + segmentBytes[i]);
            coalescer.offer(s);
        }
        coalescer.flush();
        return written;
    }

    @Benchmark
    public int checksum64KiB() {
        return Checksums.sum(tsoRead, VirtioNetHeader.SIZE, 65_535, 0);
    }
}
