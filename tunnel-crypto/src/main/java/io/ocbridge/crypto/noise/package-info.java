/**
 * Noise_IKpsk2 as WireGuard uses it, as a state machine with no I/O: one {@code PeerHandshake} per peer, the
 * symmetric state, the keypairs a handshake yields, TAI64N timestamps. Driven message by message by the core's
 * overlay.
 */
package io.ocbridge.crypto.noise;
