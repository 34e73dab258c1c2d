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

/** Seal and open of one transport packet, in place in a direct buffer, per packet size. */
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

    @Setup(Level.Trial)
    public void setUp() {
        Sessions sessions = new Sessions();
        sender = sessions.initiator;
        receiver = sessions.responder;
        packet = ByteBuffer.allocateDirect(size + Protocol.TAG_SIZE);
        sealed = ByteBuffer.allocateDirect(size + Protocol.TAG_SIZE);
        sealedCounter = sender.nextSendCounter();
        sender.seal(sealedCounter, packet.duplicate().limit(size), sealed.duplicate());
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
