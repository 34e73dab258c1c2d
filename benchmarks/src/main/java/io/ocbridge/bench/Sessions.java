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

/** A real handshake between two identities, giving matching transport keypairs. */
final class Sessions {
    final Keypair initiator;
    final Keypair responder;

    Sessions() {
        SteppingClocks clocks = new SteppingClocks();
        LocalIdentity alice = new LocalIdentity(PrivateKey.generate());
        LocalIdentity bob = new LocalIdentity(PrivateKey.generate());
        PeerHandshake aliceToBob = new PeerHandshake(alice, bob.publicKey(), PresharedKey.zero(), clocks.wall, clocks.nano);
        PeerHandshake bobToAlice = new PeerHandshake(bob, alice.publicKey(), PresharedKey.zero(), clocks.wall, clocks.nano);
        ByteBuffer initiation = ByteBuffer.allocate(Protocol.INITIATION_SIZE);
        aliceToBob.createInitiation(1, initiation);
        InitiationResult result = Handshakes.consumeInitiation(bob, initiation.flip(), key -> bobToAlice);
        if (result.peer() == null) {
            throw new IllegalStateException("handshake failed: " + result.failure());
        }
        ByteBuffer response = ByteBuffer.allocate(Protocol.RESPONSE_SIZE);
        responder = bobToAlice.createResponse(2, response);
        initiator = aliceToBob.consumeResponse(response.flip());
        if (initiator == null) {
            throw new IllegalStateException("response did not authenticate");
        }
    }
}
