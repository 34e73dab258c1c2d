package io.ocbridge.cli;

import io.ocbridge.core.control.SiteStatus;
import io.ocbridge.core.overlay.OverlayStatus;
import io.ocbridge.core.overlay.OverlayStatus.PeerStatus;
import io.ocbridge.core.overlay.OverlayStatus.SegmentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a status snapshot for people, in the manner of {@code wg show}: one header per overlay, one peer table. */
final class StatusTable {
    private static final String[] HEADERS =
            {"OVERLAY", "PEER", "ENDPOINT", "SESSION", "LATEST HANDSHAKE", "TRANSFER", "ALLOWED IPS"};
    private static final String[] BINARY_UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB"};

    private StatusTable() {
    }

    static String render(SiteStatus status) {
        StringBuilder out = new StringBuilder();
        out.append("site ").append(status.site()).append(": ")
                .append(CheckCommand.count(status.overlays().size(), "overlay"));
        if (status.followAddress() != null) {
            out.append(", ").append(status.role()).append(" (HA, follows ").append(status.followAddress()).append(')');
        }
        out.append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (OverlayStatus overlay : status.overlays()) {
            out.append("overlay ").append(overlay.name()).append(": device ").append(overlay.device())
                    .append(", listening on port ").append(overlay.listenPort())
                    .append(", public key ").append(overlay.publicKey()).append('\n');
            if (overlay.offloads() != null) {
                out.append("  offloads: ").append(offloads(overlay.offloads())).append('\n');
            }
            if (overlay.routing() != null) {
                out.append("  routing: ").append(routing(overlay.routing())).append('\n');
            }
            out.append("  handshakes: ").append(nonZero(overlay.handshakes())).append('\n');
            out.append("  drops: ").append(nonZero(overlay.drops())).append('\n');
            for (SegmentStatus segment : overlay.segments()) {
                out.append("  segment ").append(segment.name()).append(": vni ").append(segment.vni())
                        .append(", device ").append(segment.device())
                        .append(", ").append(CheckCommand.count(segment.macTableSize(), "MAC"))
                        .append(", members ").append(segment.members().isEmpty() ? "(none)" : String.join(", ", segment.members()))
                        .append("; ").append(nonZero(segment.counters())).append('\n');
            }
            if (overlay.pki() != null) {
                out.append("  pki: ").append(pki(overlay.pki())).append('\n');
            }
            for (OverlayStatus.RefusedPeer refused : overlay.refusedPeers()) {
                out.append("  refused peer ").append(refused.name()).append(": ").append(refused.reason())
                        .append(" at ").append(Instant.ofEpochSecond(refused.sinceEpochSeconds())).append('\n');
            }
            for (PeerStatus peer : overlay.peers()) {
                rows.add(new String[] {overlay.name(), peer.name(),
                        peer.endpoint() == null ? "(none)" : peer.endpoint(),
                        peer.session().name().toLowerCase(Locale.ROOT),
                        ago(status.epochSeconds(), peer.latestHandshakeEpochSeconds()),
                        bytes(peer.rxBytes()) + " received, " + bytes(peer.txBytes()) + " sent",
                        peer.allowedIps().isEmpty() ? "(none)" : String.join(", ", peer.allowedIps())});
            }
        }
        out.append('\n');
        int[] widths = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * "CA until 2036-01-01T00:00:00Z, CRL next update 2026-02-01T00:00:00Z, own certificate until … (expiring),
     * cloud-a until …": each certificate's end, its state when not plainly valid.
     */
    static String pki(OverlayStatus.Pki pki) {
        List<String> parts = new ArrayList<>();
        parts.add("CA until " + Instant.ofEpochSecond(pki.caNotAfterEpochSeconds()));
        if (pki.crlState() != null) {
            parts.add("CRL next update " + Instant.ofEpochSecond(pki.crlNextUpdateEpochSeconds())
                    + notValid(pki.crlState()));
        }
        if (pki.own() != null) {
            parts.add("own certificate until " + Instant.ofEpochSecond(pki.own().notAfterEpochSeconds())
                    + notValid(pki.own().state()));
        }
        for (OverlayStatus.CertificateExpiry certificate : pki.certificates()) {
            parts.add(certificate.name() + " until " + Instant.ofEpochSecond(certificate.notAfterEpochSeconds())
                    + notValid(certificate.state()));
        }
        return String.join(", ", parts);
    }

    private static String notValid(String state) {
        return "valid".equals(state) ? "" : " (" + state + ")";
    }

    /**
     * "forced tunnel IPv4+IPv6 (default route in table 51820, rules at 32000/32001), fwmark 51820", or "fwmark none"
     * and the like without forced tunnelling.
     */
    static String routing(OverlayStatus.Routing routing) {
        String mark = "fwmark " + (routing.fwmark() == 0 ? "none" : Long.toString(routing.fwmark()));
        var forced = routing.forcedTunnel();
        if (forced == null) {
            return "forced tunnel off, " + mark;
        }
        String families = forced.ipv4() && forced.ipv6() ? "IPv4+IPv6" : forced.ipv4() ? "IPv4" : "IPv6";
        return "forced tunnel " + families + " (default route in table " + forced.table() + ", rules at "
                + forced.rulePriority() + "/" + forced.tableRulePriority() + "), " + mark;
    }

    /** "device TSO/checksum, UDP GSO, UDP GRO", the ones off named as such. */
    static String offloads(OverlayStatus.Offloads offloads) {
        return (offloads.device() ? "device TSO/checksum" : "device TSO/checksum off")
                + (offloads.udpGso() ? ", UDP GSO" : ", UDP GSO off")
                + (offloads.udpGro() ? ", UDP GRO" : ", UDP GRO off");
    }

    /** "12 seconds ago", "1 hour, 2 minutes, 3 seconds ago", "now", or "never" for 0. */
    static String ago(long nowEpochSeconds, long thenEpochSeconds) {
        if (thenEpochSeconds == 0) {
            return "never";
        }
        long seconds = nowEpochSeconds - thenEpochSeconds;
        if (seconds <= 0) {
            return "now";
        }
        List<String> parts = new ArrayList<>();
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] names = {"day", "hour", "minute", "second"};
        for (int i = 0; i < sizes.length; i++) {
            long n = seconds / sizes[i];
            seconds %= sizes[i];
            if (n > 0) {
                parts.add(CheckCommand.count(n, names[i]));
            }
        }
        return String.join(", ", parts) + " ago";
    }

    /** "512 B", "1.2 KiB", "3.4 MiB". */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY_UNITS[unit]);
    }

    private static String nonZero(Map<? extends Enum<?>, Long> counters) {
        List<String> parts = new ArrayList<>();
        counters.entrySet().stream()
                .filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.ordinal(), b.ordinal())))
                .forEach(e -> parts.add(e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue()));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
