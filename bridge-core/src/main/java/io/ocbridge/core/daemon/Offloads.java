package io.ocbridge.core.daemon;

import java.util.List;

/**
 * Which kernel offloads the daemon uses, from {@code -Docbridge.offloads=} in OCBRIDGE_JAVA_OPTS:
 * {@code all} (the default), {@code none}, {@code device} (TSO and checksum offload on the TUN and
 * TAP devices, segments merged before device writes) or {@code socket} (UDP GSO and GRO). A
 * diagnostic switch, and how the benchmarks measure what each offload buys.
 */
final class Offloads {
    private static final String PROPERTY = "ocbridge.offloads";
    private static final List<String> VALUES = List.of("all", "none", "device", "socket");
    private static final String SETTING = System.getProperty(PROPERTY, "all");
    static final boolean DEVICE = SETTING.equals("all") || SETTING.equals("device");
    static final boolean SOCKET = SETTING.equals("all") || SETTING.equals("socket");

    private Offloads() {}

    /** Refuses a misspelt setting rather than silently running with every offload off. */
    static void check() throws DaemonException {
        if (!VALUES.contains(SETTING)) {
            throw new DaemonException("-D" + PROPERTY + "=" + SETTING + " is not one of " + String.join(", ", VALUES));
        }
    }
}
