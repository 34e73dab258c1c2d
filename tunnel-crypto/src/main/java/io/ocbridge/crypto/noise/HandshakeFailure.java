package io.ocbridge.crypto.noise;

/** Why an initiation was refused; one counter per value in bridge-core. */
public enum HandshakeFailure {
    /** Wrong length, type or reserved bytes. */
    MALFORMED,
    /** The initiator's static key did not authenticate: not addressed to our key, or corrupted. */
    DECRYPT_STATIC,
    /** Authentic, but from a static key we have no peer for. */
    UNKNOWN_PEER,
    /** The timestamp did not authenticate: the sender lacks the static-static secret or the PSK context. */
    DECRYPT_TIMESTAMP,
    /** The timestamp is not later than the last accepted one from this peer: a replay. */
    REPLAYED_TIMESTAMP,
    /** Less than 1/50 s after the last accepted initiation from this peer. */
    TOO_FREQUENT,
    /** The peer found belongs to another local identity (e.g. after our private key changed). */
    WRONG_STATE,
    /** The empty AEAD of a response did not authenticate (reported by consumeResponse as null). */
    DECRYPT_EMPTY,
    /** An X25519 result was all zeros: the peer sent a small-order point. */
    LOW_ORDER_POINT
}
