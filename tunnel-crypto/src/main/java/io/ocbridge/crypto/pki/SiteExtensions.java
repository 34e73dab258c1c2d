package io.ocbridge.crypto.pki;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * The X.509 extensions of a site certificate, both non-critical, under the arc {@code 1.3.6.1.4.1.99999.1}
 * ("ocbridge site"). 99999 is a <b>placeholder</b> private enterprise number, not assigned to this project by
 * IANA; a deployment that must not collide applies for a PEN and changes {@link #ARC}. Issued certificates and
 * the verifier must agree on it.
 * <ul>
 *   <li>{@code ARC.1} wireguardPublicKey: OCTET STRING of the 32-byte X25519 public key.</li>
 *   <li>{@code ARC.2} allowedIps: SEQUENCE OF UTF8String, each a CIDR such as {@code 10.1.0.0/16}.</li>
 * </ul>
 */
public final class SiteExtensions {

    public static final ASN1ObjectIdentifier ARC = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");
    public static final ASN1ObjectIdentifier WIREGUARD_PUBLIC_KEY = ARC.branch("1");
    public static final ASN1ObjectIdentifier ALLOWED_IPS = ARC.branch("2");

    /** An X25519 public key, as WireGuard uses it. */
    public static final int PUBLIC_KEY_BYTES = 32;

    private SiteExtensions() {
    }
}
