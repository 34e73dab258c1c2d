/**
 * BLAKE2s (RFC 7693) and the HKDF built on it that Noise uses. Called by {@code noise} and {@code cookie}.
 */
package io.ocbridge.crypto.hash;
