package io.ocbridge.crypto.noise;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.Initiation;
import io.ocbridge.crypto.wire.LittleEndian;
import io.ocbridge.crypto.wire.Messages;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Responder entry point. An initiation names its sender only inside an AEAD under our static key,
 * so the peer is known only after the first half of the handshake; this class does that half.
 */
public final class Handshakes {

    private Handshakes() {
    }

    /**
     * Consumes the initiation at {@code msg[position..limit)} (position unchanged; MACs are the
     * caller's job). On success the returned peer is in the "initiation consumed" state and its
     * {@link PeerHandshake#createResponse} may be called. On failure no peer state has changed.
     */
    public static InitiationResult consumeInitiation(LocalIdentity local, ByteBuffer msg,
                                                     Function<PublicKey, PeerHandshake> peerLookup) {
        int senderIndex = msg.remaining() >= Initiation.EPHEMERAL_OFFSET
                ? LittleEndian.getInt(msg, msg.position() + Initiation.SENDER_OFFSET) : 0;
        if (msg.remaining() != Protocol.INITIATION_SIZE || Messages.messageType(msg) != Protocol.MESSAGE_INITIATION) {
            return InitiationResult.failed(HandshakeFailure.MALFORMED, senderIndex);
        }
        byte[] m = new byte[Protocol.INITIATION_SIZE];
        msg.get(msg.position(), m);

        SymmetricState s = new SymmetricState();
        s.initialize(local.initialHash);
        PublicKey ephemeral = PublicKey.fromBytes(m, Initiation.EPHEMERAL_OFFSET);
        s.mixHash(m, Initiation.EPHEMERAL_OFFSET, Protocol.KEY_SIZE);
        s.mixKey(ephemeral.bytes());

        byte[] sharedSecret = new byte[Protocol.KEY_SIZE];
        byte[] key = new byte[Protocol.KEY_SIZE];
        try {
            if (!local.privateKey().sharedSecret(ephemeral, sharedSecret, 0)) {
                return InitiationResult.failed(HandshakeFailure.LOW_ORDER_POINT, senderIndex);
            }
            s.mixKey(sharedSecret, key);
            byte[] initiatorStatic = new byte[Protocol.KEY_SIZE];
            if (!s.decryptAndHash(key, m, Initiation.STATIC_OFFSET, Initiation.STATIC_SIZE, initiatorStatic)) {
                return InitiationResult.failed(HandshakeFailure.DECRYPT_STATIC, senderIndex);
            }
            PeerHandshake peer = peerLookup.apply(PublicKey.fromBytes(initiatorStatic, 0));
            if (peer == null) {
                return InitiationResult.failed(HandshakeFailure.UNKNOWN_PEER, senderIndex);
            }
            if (peer.local() != local) {
                return InitiationResult.failed(HandshakeFailure.WRONG_STATE, senderIndex);
            }
            HandshakeFailure failure = peer.consumeInitiation(s, m, senderIndex, ephemeral);
            return failure == null
                    ? InitiationResult.success(peer, senderIndex)
                    : InitiationResult.failed(failure, senderIndex);
        } finally {
            Arrays.fill(sharedSecret, (byte) 0);
            Arrays.fill(key, (byte) 0);
            s.clear();
        }
    }
}
