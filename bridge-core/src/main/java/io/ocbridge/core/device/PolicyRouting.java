package io.ocbridge.core.device;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.route.ForcedTunnel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs and removes an overlay's {@link ForcedTunnel} with {@code ip}, per family (wg-quick's scheme, at fixed
 * priorities):
 * <pre>
 *   ip -4 route replace 0.0.0.0/0 dev DEV table T
 *   ip -4 rule add table main suppress_prefixlength 0 pref P
 *   ip -4 rule add not fwmark M table T pref P+1
 * </pre>
 * and the same with {@code -6} and {@code ::/0}. The table's rule comes last, so traffic turns to the tunnel only once
 * the route and the exception for the host's own more specific routes are in. Removal undoes it in the reverse order
 * and is also the clean-up of a run that was killed: every rule that looks up T (whatever its priority), every
 * {@code main suppress_prefixlength 0} rule at P, every route of T, for both families whatever the spec enables.
 * Stateless; the commands are built by {@link #installCommands} and {@link #removalCommands} for tests to read.
 */
public final class PolicyRouting {
    /** A killed run leaves one of each; more than this means something else keeps adding them: give up, say so. */
    static final int MAX_DELETIONS_PER_RULE = 16;

    private PolicyRouting() {}

    /** The {@code ip} argument lists that install {@code spec} through {@code device}, in order. */
    static List<List<String>> installCommands(String device, ForcedTunnel spec) {
        String dev = InterfaceName.validate(device);
        List<List<String>> commands = new ArrayList<>();
        for (Family family : families(spec)) {
            commands.add(List.of(family.option, "route", "replace", family.defaultRoute, "dev", dev,
                    "table", Long.toString(spec.table())));
            commands.add(suppressRule(family, "add", spec));
            commands.add(List.of(family.option, "rule", "add", "not", "fwmark", Long.toString(spec.fwmark()),
                    "table", Long.toString(spec.table()), "pref", Integer.toString(spec.tableRulePriority())));
        }
        return commands;
    }

    /**
     * The {@code ip} argument lists that remove what {@code spec} installs, both families: each rule deletion is
     * repeated until nothing is left to delete, the flush runs once.
     */
    static List<List<String>> removalCommands(ForcedTunnel spec) {
        List<List<String>> commands = new ArrayList<>();
        for (Family family : Family.values()) {
            commands.add(List.of(family.option, "rule", "del", "table", Long.toString(spec.table())));
            commands.add(suppressRule(family, "del", spec));
            commands.add(List.of(family.option, "route", "flush", "table", Long.toString(spec.table())));
        }
        return commands;
    }

    /**
     * Removes any leftovers of {@code spec} (a killed run), then installs it. On failure removes what it installed and
     * throws: the overlay must not run half-forced.
     */
    public static void install(LinkConfigurator link, String device, ForcedTunnel spec, Log log) throws IOException {
        remove(link, spec, log);
        try {
            for (List<String> command : installCommands(device, spec)) {
                link.run(command);
            }
        } catch (IOException e) {
            remove(link, spec, log);
            throw e;
        }
        log.info("forced-tunnel-up", describe(spec) + " device=" + device);
    }

    /** Removes every rule and route {@code spec} names, for both families; failures are logged, the rest goes on. */
    public static void remove(LinkConfigurator link, ForcedTunnel spec, Log log) {
        for (List<String> command : removalCommands(spec)) {
            boolean flush = command.contains("flush");
            try {
                int deleted = 0;
                while (link.deleteIfPresent(command) && !flush) {
                    if (++deleted == MAX_DELETIONS_PER_RULE) {
                        log.warn("forced-tunnel-cleanup-failed", describe(spec) + " command=\"ip "
                                + String.join(" ", command) + "\" reason=still-present-after-" + deleted + "-deletions");
                        break;
                    }
                }
            } catch (IOException e) {
                log.warn("forced-tunnel-cleanup-failed", describe(spec) + " error=" + e.getMessage());
            }
        }
    }

    /** The log fields naming a spec. */
    public static String describe(ForcedTunnel spec) {
        return "table=" + spec.table() + " fwmark=" + spec.fwmark() + " rule-priority=" + spec.rulePriority()
                + " families=" + (spec.ipv4() && spec.ipv6() ? "ipv4,ipv6" : spec.ipv4() ? "ipv4" : "ipv6");
    }

    private static List<String> suppressRule(Family family, String verb, ForcedTunnel spec) {
        return List.of(family.option, "rule", verb, "table", "main", "suppress_prefixlength", "0",
                "pref", Integer.toString(spec.rulePriority()));
    }

    private static List<Family> families(ForcedTunnel spec) {
        List<Family> families = new ArrayList<>(2);
        if (spec.ipv4()) {
            families.add(Family.IPV4);
        }
        if (spec.ipv6()) {
            families.add(Family.IPV6);
        }
        return families;
    }

    private enum Family {
        IPV4("-4", "0.0.0.0/0"), IPV6("-6", "::/0");

        final String option;
        final String defaultRoute;

        Family(String option, String defaultRoute) {
            this.option = option;
            this.defaultRoute = defaultRoute;
        }
    }
}
