package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;
import java.nio.file.Path;
import java.util.List;

/**
 * A peer of an overlay. {@code publicKey} is 32 bytes in standard base64 as {@code wg pubkey}
 * prints it; {@code presharedKeyFile} and {@code endpoint} may be null; keepalive 0 means off.
 */
public record PeerConfig(String name, String publicKey, Path presharedKeyFile, Endpoint endpoint,
                         List<Cidr> allowedIps, int persistentKeepaliveSeconds) {

    public PeerConfig {
        allowedIps = List.copyOf(allowedIps);
    }
}
