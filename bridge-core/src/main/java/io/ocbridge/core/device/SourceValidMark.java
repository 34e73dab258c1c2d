package io.ocbridge.core.device;

import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code net.ipv4.conf.all.src_valid_mark}: with forced tunnelling, strict reverse-path filtering ({@code rp_filter=1})
 * checks a datagram from a peer's endpoint with a lookup that, without the packet's mark, lands in the tunnel's
 * table, and drops the tunnel's own traffic. With the sysctl on, the lookup uses the mark and finds the underlay, as
 * wg-quick arranges it. A network sysctl: CAP_NET_ADMIN may write it. Left on at stop, as wg-quick leaves it.
 */
public final class SourceValidMark {
    static final Path ALL = Path.of("/proc/sys/net/ipv4/conf/all/src_valid_mark");

    private SourceValidMark() {}

    /** Turns it on in the caller's network namespace if it is off; a failure is logged, the overlay goes on. */
    public static void ensureOn(Log log) {
        try {
            if (Files.readString(ALL).strip().equals("1")) {
                return;
            }
            Files.writeString(ALL, "1\n");
            log.info("sysctl-set", "key=net.ipv4.conf.all.src_valid_mark value=1 reason=forced-tunnel");
        } catch (IOException e) {
            log.warn("sysctl-failed", "key=net.ipv4.conf.all.src_valid_mark error=" + e.getMessage()
                    + " hint=\"with rp_filter=1 the tunnel's own datagrams are dropped\"");
        }
    }
}
