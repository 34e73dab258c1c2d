package io.ocbridge.core.daemon;

/**
 * Which kernel offloads the daemon uses, from {@code -Docbridge.offloads=} in OCBRIDGE_JAVA_OPTS:
 * {@code all} (the default), {@code none}, {@code device} (TSO and checksum offload on the TUN and
 * TAP devices, segments merged before device writes) or {@code socket} (UDP GSO and GRO). A
 * diagnostic switch, and how the benchmarks measure what each offload buys.
 */
final class Offloads {
    private static final String SETTING = System.getProperty("ocbridge.offloads", "all");
    static final boolean DEVICE = SETTING.equals("all") || SETTING.equals("device");
    static final boolean SOCKET = SETTING.equals("all") || SETTING.equals("socket");

    private Offloads() {}
}
