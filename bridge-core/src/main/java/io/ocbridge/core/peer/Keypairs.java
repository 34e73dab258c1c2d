package io.ocbridge.core.peer;

import io.ocbridge.crypto.noise.Keypair;

/**
 * A peer's three session slots (whitepaper §5.4.6 / wireguard-go's Keypairs): {@code current}
 * for sending, {@code previous} still accepted for receiving, and {@code next}, the responder's
 * keypair that becomes current once the initiator proves it has it (its first transport packet).
 * Owned by the overlay's event loop.
 */
public final class Keypairs {
    private Keypair current;
    private Keypair previous;
    private Keypair next;

    public Keypair current() { return current; }
    public Keypair previous() { return previous; }
    public Keypair next() { return next; }

    /**
     * Installs a fresh keypair. Initiator keys are confirmed by the response, so they become
     * current at once; responder keys wait in {@code next}. Returns the keypairs pushed out, which
     * the caller must retire (index table) — at most two, in an array of length 2 with nulls.
     */
    public Keypair[] install(Keypair fresh) {
        Keypair[] retired = new Keypair[2];
        if (fresh.isInitiator()) {
            if (next != null) {
                retired[0] = previous;
                previous = next;
                retired[1] = current;
                next = null;
            } else {
                retired[0] = previous;
                previous = current;
            }
            current = fresh;
        } else {
            retired[0] = next;
            retired[1] = previous;
            previous = null;
            next = fresh;
        }
        return retired;
    }

    /**
     * The initiator proved it holds {@code next} (its first packet on it arrived): promote it to
     * current. Returns the keypair pushed out, which the caller retires, or null.
     */
    public Keypair promoteNext() {
        Keypair retired = previous;
        previous = current;
        current = next;
        next = null;
        return retired;
    }

    /** Destroys every keypair (keys zeroed). */
    public Keypair[] destroyAll() {
        Keypair[] all = {current, previous, next};
        for (Keypair k : all) {
            if (k != null) {
                k.destroy();
            }
        }
        current = previous = next = null;
        return all;
    }
}
