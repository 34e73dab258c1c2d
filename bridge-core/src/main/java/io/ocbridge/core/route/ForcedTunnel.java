package io.ocbridge.core.route;

/**
 * Forced tunnelling for one overlay: the default route of each family in {@link #families} goes through the overlay's
 * device in a routing table of its own, chosen by policy rules, as wg-quick does it. Per family, at {@code
 * rulePriority} a rule looks up {@code main} without its default routes (so the host's more specific routes, its LANs
 * and the underlay, still win), and at {@code rulePriority + 1} every packet not carrying {@code fwmark} looks up
 * {@code table}, which holds nothing but the default route through the device. The overlay's own UDP socket carries
 * {@code fwmark}, so the tunnel's packets skip that rule and leave by the underlay.
 *
 * <p>What is ours, so that a restart after a crash can find it: every rule that looks up {@code table} (the table is
 * the overlay's alone), every route in {@code table}, and the {@code main suppress_prefixlength 0} rule at
 * {@code rulePriority}.
 *
 * @param table    the routing table, 1..2^32-1 but not 253..255 (default, main, local)
 * @param fwmark   the mark the overlay's socket carries, 1..2^32-1 (unsigned)
 * @param rulePriority the suppressing rule's priority; the table's rule takes the next one
 */
public record ForcedTunnel(long table, long fwmark, int rulePriority, boolean ipv4, boolean ipv6) {
    public static final long MAX_TABLE = 0xFFFF_FFFFL;
    public static final long MAX_FWMARK = 0xFFFF_FFFFL;
    /**
     * Below the kernel's {@code main} rule (32766) with room for the pair; not wg-quick's 32764/32765, so that a
     * wg-quick interface on the same host keeps its own rules.
     */
    public static final int DEFAULT_RULE_PRIORITY = 32_000;
    /** The pair must stay above {@code main} (32766), or {@code main}'s default route would win. */
    public static final int MAX_RULE_PRIORITY = 32_764;

    public ForcedTunnel {
        if (reservedTable(table) != null) {
            throw new IllegalArgumentException("table " + table + ": " + reservedTable(table));
        }
        if (fwmark < 1 || fwmark > MAX_FWMARK) {
            throw new IllegalArgumentException("fwmark must be 1.." + MAX_FWMARK);
        }
        if (rulePriority < 1 || rulePriority > MAX_RULE_PRIORITY) {
            throw new IllegalArgumentException("rule priority must be 1.." + MAX_RULE_PRIORITY);
        }
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("forced tunnelling needs IPv4, IPv6 or both");
        }
    }

    /** Why {@code table} cannot be an overlay's own table, or null if it can. */
    public static String reservedTable(long table) {
        if (table < 1 || table > MAX_TABLE) {
            return "must be 1.." + MAX_TABLE;
        }
        if (table >= 253 && table <= 255) {
            return "253, 254 and 255 are the kernel's default, main and local tables";
        }
        return null;
    }

    /** The table's rule: one below the suppressing rule in precedence. */
    public int tableRulePriority() {
        return rulePriority + 1;
    }
}
