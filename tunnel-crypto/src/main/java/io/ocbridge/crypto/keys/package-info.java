/**
 * X25519 private, public and preshared keys in the {@code wg} text format (canonical base64). Private and
 * preshared keys never print and can be decoded from bytes, so no String holds them.
 */
package io.ocbridge.crypto.keys;
