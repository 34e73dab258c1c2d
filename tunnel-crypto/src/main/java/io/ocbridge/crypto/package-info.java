/**
 * The WireGuard protocol with no I/O: {@code Protocol} holds the whitepaper's constants and nothing else; the
 * subpackages hold the handshake, cookies, keys, AEADs and the replay window. Works on arrays and {@code ByteBuffer}s
 * only, so all of it is unit-tested and fuzzed without a socket. Depends on nothing of ours; the core calls it.
 */
package io.ocbridge.crypto;
