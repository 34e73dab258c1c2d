/**
 * Site PKI: a certificate authority (Ed25519) signs X.509 site certificates that bind a site's name (subject
 * {@code CN}), its WireGuard (X25519) public key and the allowed-ips it may announce; a CRL revokes them.
 * The wire protocol stays WireGuard's: a certificate only decides which public key and allowed-ips a peer gets.
 *
 * <p>Everything here works on PEM text and {@link java.time.Instant}s passed in: no files, no clock, so every
 * case (expired, not yet valid, revoked, tampered) is a plain unit test. File modes are the caller's business.
 *
 * <p>Object identifiers live under the placeholder arc {@link io.ocbridge.crypto.pki.SiteExtensions#ARC}; see there.
 */
package io.ocbridge.crypto.pki;
