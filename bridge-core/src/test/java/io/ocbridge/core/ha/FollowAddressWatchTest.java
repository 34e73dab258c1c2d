package io.ocbridge.core.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ocbridge.core.device.AddressEvents;
import io.ocbridge.core.device.NetNamespace;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.testing.Poll;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The role follows the address in a throwaway network namespace: added (active), its link down (standby: nothing can
 * leave from it), up again, removed. The watch thread starts from the namespace's thread, so it lives there too.
 */
class FollowAddressWatchTest {
    private static final String VIP = "192.0.2.10";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theRoleFollowsTheAddressAndItsLink() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root and iproute2");
        try (NetNamespace namespace = NetNamespace.create()) {
            String ns = namespace.name();
            List<Role> seen = new CopyOnWriteArrayList<>();
            namespace.call(() -> {
                try (FollowAddressWatch watch = FollowAddressWatch.start(InetAddress.getByName(VIP), Log.with("test"))) {
                    watch.listen(seen::add);
                    assertEquals(List.of(Role.STANDBY), seen, "no address yet");
                    ip(ns, "address", "add", VIP + "/32", "dev", "lo");
                    awaitRole(watch, seen, Role.ACTIVE);
                    ip(ns, "link", "set", "lo", "down");
                    awaitRole(watch, seen, Role.STANDBY);
                    ip(ns, "link", "set", "lo", "up");
                    awaitRole(watch, seen, Role.ACTIVE);
                    ip(ns, "address", "del", VIP + "/32", "dev", "lo");
                    awaitRole(watch, seen, Role.STANDBY);
                    assertEquals(List.of(Role.STANDBY, Role.ACTIVE, Role.STANDBY, Role.ACTIVE, Role.STANDBY), seen);
                    assertEquals(4, watch.state().transitions());
                }
                return null;
            });
        }
    }

    @Test
    void rtnetlinkTellsOfAnAddressChange() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root and iproute2");
        try (NetNamespace namespace = NetNamespace.create()) {
            namespace.call(() -> {
                try (AddressEvents events = AddressEvents.open()) {
                    ip(namespace.name(), "address", "add", VIP + "/32", "dev", "lo");
                    assertTrue(events.await(2_000), "no event for an added address");
                }
                return null;
            });
        }
    }

    /** {@code ip -n NS ARGS}, bounded in time; fails the test when ip does. */
    private static void ip(String namespace, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("ip", "-n", namespace));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "ip " + argv + " did not finish");
        assertEquals(0, p.exitValue(), argv + ": " + new String(p.getInputStream().readAllBytes()));
    }

    /**
     * Waits until the listener has heard {@code role}: the state changes just before the listener is called, so
     * waiting on the state alone would race the list of what was heard.
     */
    private static void awaitRole(FollowAddressWatch watch, List<Role> seen, Role role) throws InterruptedException {
        Poll.until(WAIT, Duration.ofMillis(5), () -> !seen.isEmpty() && seen.getLast() == role);
        assertEquals(role, watch.state().role());
    }
}
