package io.ocbridge.core.uapi;

import io.ocbridge.core.route.Cidr;
import java.util.HexFormat;

/**
 * Writes a {@code get=1} reply body in the key=value form of https://www.wireguard.com/xplatform/ — device lines,
 * then per peer a section opened by {@code public_key} — without the closing {@code errno} line. Keys are lowercase
 * hex; secrets appear only when the {@link DeviceState} holds them.
 */
public final class UapiGet {
    private static final HexFormat HEX = HexFormat.of();

    private UapiGet() {}

    public static String format(DeviceState device) {
        StringBuilder out = new StringBuilder(256 + 256 * device.peers().size());
        if (device.privateKey() != null) {
            line(out, "private_key", HEX.formatHex(device.privateKey()));
        }
        if (device.listenPort() != 0) {
            line(out, "listen_port", Integer.toString(device.listenPort()));
        }
        if (device.fwmark() != 0) {  // as wireguard-go: only when set, in decimal
            line(out, "fwmark", Long.toString(device.fwmark()));
        }
        for (DeviceState.PeerState peer : device.peers()) {
            line(out, "public_key", HEX.formatHex(peer.publicKey()));
            if (peer.presharedKey() != null) {
                line(out, "preshared_key", HEX.formatHex(peer.presharedKey()));
            }
            line(out, "protocol_version", "1");
            if (peer.endpoint() != null) {
                line(out, "endpoint", peer.endpoint());
            }
            long millis = peer.lastHandshakeEpochMillis();
            line(out, "last_handshake_time_sec", Long.toString(millis / 1000));
            line(out, "last_handshake_time_nsec", Long.toString((millis % 1000) * 1_000_000));
            line(out, "tx_bytes", Long.toString(peer.txBytes()));
            line(out, "rx_bytes", Long.toString(peer.rxBytes()));
            line(out, "persistent_keepalive_interval", Integer.toString(peer.persistentKeepaliveSeconds()));
            for (Cidr prefix : peer.allowedIps()) {
                line(out, "allowed_ip", prefix.toString());
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append('=').append(value).append('\n');
    }
}
