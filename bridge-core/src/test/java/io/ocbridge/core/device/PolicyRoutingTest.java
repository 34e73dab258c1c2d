package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.route.ForcedTunnel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PolicyRoutingTest {
    private static final ForcedTunnel BOTH = new ForcedTunnel(51820, 4096, 32_000, true, true);
    private static final Log LOG = Log.with("site=test");

    @Test
    void installIsWgQuicksSchemeAtFixedPrioritiesTheTablesRuleLast() {
        assertEquals(List.of(
                List.of("-4", "route", "replace", "0.0.0.0/0", "dev", "ocb-corp", "table", "51820"),
                List.of("-4", "rule", "add", "table", "main", "suppress_prefixlength", "0", "pref", "32000"),
                List.of("-4", "rule", "add", "not", "fwmark", "4096", "table", "51820", "pref", "32001"),
                List.of("-6", "route", "replace", "::/0", "dev", "ocb-corp", "table", "51820"),
                List.of("-6", "rule", "add", "table", "main", "suppress_prefixlength", "0", "pref", "32000"),
                List.of("-6", "rule", "add", "not", "fwmark", "4096", "table", "51820", "pref", "32001")),
                PolicyRouting.installCommands("ocb-corp", BOTH));
        assertEquals(3, PolicyRouting.installCommands("ocb-corp",
                new ForcedTunnel(7, 7, 100, false, true)).size(), "one family, three commands");
    }

    /** Removal names the table and the priority, never the device: it must also clean up after a killed run. */
    @Test
    void removalCoversBothFamiliesWhateverTheSpecEnables() {
        List<List<String>> expected = List.of(
                List.of("-4", "rule", "del", "table", "51820"),
                List.of("-4", "rule", "del", "table", "main", "suppress_prefixlength", "0", "pref", "32000"),
                List.of("-4", "route", "flush", "table", "51820"),
                List.of("-6", "rule", "del", "table", "51820"),
                List.of("-6", "rule", "del", "table", "main", "suppress_prefixlength", "0", "pref", "32000"),
                List.of("-6", "route", "flush", "table", "51820"));
        assertEquals(expected, PolicyRouting.removalCommands(BOTH));
        assertEquals(expected, PolicyRouting.removalCommands(new ForcedTunnel(51820, 4096, 32_000, true, false)));
    }

    /**
     * In a namespace: installing twice (a restart after SIGKILL) leaves one set, not two; removal leaves nothing of
     * ours and the kernel's own rules as they were.
     */
    @Test
    void installTwiceHoldsOneSetAndRemovalLeavesNothing() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            String kernelRules4 = show(namespace, "-4", "rule");
            String kernelRules6 = show(namespace, "-6", "rule");
            namespace.call(() -> {
                TunDevice tun = TunDevice.openTun("ocbpr0");
                try {
                    ip.setUp("ocbpr0");
                    PolicyRouting.install(ip, "ocbpr0", BOTH, LOG);
                    PolicyRouting.install(ip, "ocbpr0", BOTH, LOG);
                    for (String family : List.of("-4", "-6")) {
                        String rules = show(namespace, family, "rule");
                        assertEquals(1, count(rules, "32000:\tfrom all lookup main suppress_prefixlength 0"), rules);
                        assertEquals(1, count(rules, "32001:\tnot from all fwmark 0x1000 lookup 51820"), rules);
                        String table = show(namespace, family, "route", "show", "table", "51820");
                        assertTrue(table.startsWith("default dev ocbpr0"), table);
                        assertEquals(1, table.lines().count(), table);
                    }
                    PolicyRouting.remove(ip, BOTH, LOG);
                    assertEquals(kernelRules4, show(namespace, "-4", "rule"));
                    assertEquals(kernelRules6, show(namespace, "-6", "rule"));
                    assertEquals("", show(namespace, "-6", "route", "show", "table", "51820"));
                    PolicyRouting.remove(ip, BOTH, LOG);  // nothing left to remove is not an error
                } finally {
                    tun.close();
                }
                return null;
            });
        }
    }

    /** A failed install (the device is gone) takes back the half it did: no rule sends traffic into nothing. */
    @Test
    void aFailedInstallLeavesNothing() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            String kernelRules = show(namespace, "-4", "rule");
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> PolicyRouting.install(ip, "ocbpr-gone", BOTH, LOG));
            assertTrue(e.getMessage().contains("route replace 0.0.0.0/0 dev ocbpr-gone"), e.getMessage());
            assertEquals(kernelRules, show(namespace, "-4", "rule"));
            assertFalse(show(namespace, "-4", "rule").contains("suppress_prefixlength"));
        }
    }

    private static long count(String text, String line) {
        return text.lines().filter(l -> l.strip().equals(line)).count();
    }

    private static String show(NetNamespace namespace, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/sbin/ip", "-n", namespace.name()));
        command.addAll(List.of(args));
        if (args.length == 2) {
            command.add("show");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        return out;
    }
}
