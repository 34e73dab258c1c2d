/**
 * ChaCha20-Poly1305 for transport data (the JDK's intrinsified cipher, sealed and opened in place) and
 * XChaCha20-Poly1305 (HChaCha20) for cookie replies. Called by {@code noise} and {@code cookie}.
 */
package io.ocbridge.crypto.aead;
