package io.ocbridge.crypto.noise;

/**
 * Outcome of {@link Handshakes#consumeInitiation}: the peer whose handshake now awaits our response,
 * or the failure. {@code senderIndex} is the initiator's index (0 if the message was too short).
 */
public record InitiationResult(PeerHandshake peer, int senderIndex, HandshakeFailure failure) {

    static InitiationResult success(PeerHandshake peer, int senderIndex) {
        return new InitiationResult(peer, senderIndex, null);
    }

    static InitiationResult failed(HandshakeFailure failure, int senderIndex) {
        return new InitiationResult(null, senderIndex, failure);
    }

    public boolean ok() {
        return failure == null;
    }
}
