package io.ocbridge.bench;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.noise.Keypair;
import java.nio.ByteBuffer;
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

/**
 * Seal and open of one transport packet per packet size: in place in a direct buffer through two views (the
 * ByteBuffer API), and in place in an array (what the data path does: the packet is copied in and out of it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TransportBenchmark {
    @Param({"64", "512", "1424"})
    int size;

    private Keypair sender;
    private Keypair receiver;
    private ByteBuffer packet;
    private ByteBuffer sealed;
    private long sealedCounter;
    private byte[] work;
    private byte[] sealedArray;

    @Setup(Level.Trial)
    public void setUp() {
        Sessions sessions = new Sessions();
        sender = sessions.initiator;
        receiver = sessions.responder;
        packet = ByteBuffer.allocateDirect(size + Protocol.TAG_SIZE);
        sealed = ByteBuffer.allocateDirect(size + Protocol.TAG_SIZE);
        sealedCounter = sender.nextSendCounter();
        sender.seal(sealedCounter, packet.duplicate().limit(size), sealed.duplicate());
        work = new byte[size + Protocol.TAG_SIZE];
        sealedArray = new byte[size + Protocol.TAG_SIZE];
        sealed.get(0, sealedArray);
    }

    @Benchmark
    public byte[] sealArrayInPlace() {
        sender.sealInPlace(sender.nextSendCounter(), work, size);
        return work;
    }

    @Benchmark
    public boolean openArrayInPlace() {
        System.arraycopy(sealedArray, 0, work, 0, sealedArray.length);
        return receiver.openInPlace(sealedCounter, work, sealedArray.length);
    }

    @Benchmark
    public ByteBuffer seal() {
        sender.seal(sender.nextSendCounter(), packet.duplicate().limit(size), packet.duplicate());
        return packet;
    }

    @Benchmark
    public boolean open() {
        return receiver.open(sealedCounter, sealed.duplicate(), packet.duplicate().limit(size));
    }
}
