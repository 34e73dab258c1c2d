package io.ocbridge.bench;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.Handshakes;
import io.ocbridge.crypto.noise.InitiationResult;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Handshake cost on one core: the responder's work per initiation (consume it, create the
 * response and the session), which bounds how many handshakes per second a gateway absorbs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
    private LocalIdentity responder;
    private PeerHandshake responderView;
    private PeerHandshake initiatorView;
    private final ByteBuffer initiation = ByteBuffer.allocate(Protocol.INITIATION_SIZE);
    private final ByteBuffer response = ByteBuffer.allocate(Protocol.RESPONSE_SIZE);

    @Setup(Level.Trial)
    public void setUp() {
        SteppingClocks clocks = new SteppingClocks();
        LocalIdentity initiator = new LocalIdentity(PrivateKey.generate());
        responder = new LocalIdentity(PrivateKey.generate());
        initiatorView = new PeerHandshake(initiator, responder.publicKey(), PresharedKey.zero(), clocks.wall, clocks.nano);
        responderView = new PeerHandshake(responder, initiator.publicKey(), PresharedKey.zero(), clocks.wall, clocks.nano);
    }

    /** Initiator side: a fresh initiation (ephemeral key, two DH). Setup for the responder benchmark too. */
    @Benchmark
    public ByteBuffer createInitiation() {
        initiation.clear();
        initiatorView.createInitiation(7, initiation);
        return initiation;
    }

    /** Responder side: consume an initiation and answer it (the work an initiation flood costs). */
    @Benchmark
    public Keypair respond() {
        initiation.clear();
        initiatorView.createInitiation(7, initiation);
        InitiationResult result = Handshakes.consumeInitiation(responder, initiation.flip(), key -> responderView);
        response.clear();
        Keypair keypair = responderView.createResponse(9, response);
        keypair.destroy();
        return result.peer() == null ? null : keypair;
    }
}
