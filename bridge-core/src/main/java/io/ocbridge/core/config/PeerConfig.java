package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A peer of an overlay. {@code publicKey} is 32 bytes in standard base64 as {@code wg pubkey}
 * prints it; {@code presharedKeyFile} and {@code endpoint} may be null; keepalive 0 means off.
 * {@code certificate} is the site certificate that supplied {@code publicKey} and {@code allowedIps}
 * (already verified against the overlay's CA), or null when the config gave them directly;
 * {@code certificateNotAfter} is then the end of its validity, when the daemon stops admitting the peer.
 */
public record PeerConfig(String name, String publicKey, Path presharedKeyFile, Endpoint endpoint,
                         List<Cidr> allowedIps, int persistentKeepaliveSeconds, Cidr vtep, Path certificate,
                         Instant certificateNotAfter) {

    public PeerConfig {
        allowedIps = List.copyOf(allowedIps);
    }

    /** A peer whose key and allowed-ips are given directly, not by a certificate. */
    public PeerConfig(String name, String publicKey, Path presharedKeyFile, Endpoint endpoint,
            List<Cidr> allowedIps, int persistentKeepaliveSeconds, Cidr vtep) {
        this(name, publicKey, presharedKeyFile, endpoint, allowedIps, persistentKeepaliveSeconds, vtep, null, null);
    }

    /** A peer whose VTEP is implied by its allowed-ips. */
    public PeerConfig(String name, String publicKey, Path presharedKeyFile, Endpoint endpoint,
            List<Cidr> allowedIps, int persistentKeepaliveSeconds) {
        this(name, publicKey, presharedKeyFile, endpoint, allowedIps, persistentKeepaliveSeconds, null);
    }

    /** The peer's VXLAN endpoint: {@code vtep:} if given, else its first IPv4 allowed-ips address; null if none. */
    public Cidr effectiveVtep() {
        if (vtep != null) {
            return vtep;
        }
        return allowedIps.stream().filter(a -> !a.isIpv6()).findFirst().orElse(null);
    }
}
