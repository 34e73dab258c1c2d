package io.ocbridge.crypto.noise;

import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;

/** Our static key pair plus what every initiation sent to us starts from. Immutable. */
public final class LocalIdentity {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    /** HASH(INITIAL_HASH || our public key): the handshake hash before an initiator's first mix. */
    final byte[] initialHash;

    public LocalIdentity(PrivateKey privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.publicKey();
        this.initialHash = SymmetricState.initialHashFor(publicKey.bytes());
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Copies our private key into {@code dst[offset..offset+32)} for a root-only query; the caller zeroes it. */
    public void copyPrivateKeyTo(byte[] dst, int offset) {
        privateKey.copyTo(dst, offset);
    }

    PrivateKey privateKey() {
        return privateKey;
    }
}
