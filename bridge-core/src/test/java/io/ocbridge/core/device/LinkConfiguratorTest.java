package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class LinkConfiguratorTest {

    @Test
    void configuresAndDeletesALinkInANamespace() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            namespace.call(() -> {
                TunDevice tun = TunDevice.openTun("ocbt2");
                try {
                    ip.setMtu("ocbt2", 1280);
                    ip.addAddress("ocbt2", Cidr.parse("10.98.0.1/24"));
                    ip.addAddress("ocbt2", Cidr.parse("fd98::1/64"));
                    ip.setUp("ocbt2");
                    ip.addRoute("ocbt2", Cidr.parse("172.31.5.9/16"));
                    ip.addRoute("ocbt2", Cidr.parse("fd99::/48"));
                    // Routes are replaced, so a prefix equal to the connected subnet is not an error.
                    ip.addRoute("ocbt2", Cidr.parse("172.31.0.0/16"));
                    ip.addRoute("ocbt2", Cidr.parse("10.98.0.0/24"));
                    IOException duplicate = assertThrows(IOException.class,
                            () -> ip.addAddress("ocbt2", Cidr.parse("10.98.0.1/24")));
                    // ip's own wording differs between iproute2 versions: check the command and one line.
                    String prefix = "/usr/sbin/ip -n " + namespace.name() + " address add 10.98.0.1/24 dev ocbt2: ";
                    assertTrue(duplicate.getMessage().startsWith(prefix), duplicate.getMessage());
                    assertFalse(duplicate.getMessage().contains("\n"), duplicate.getMessage());
                } finally {
                    tun.close();
                }
                return null;
            });
        }
    }

    @Test
    void missingDeviceIsAnErrorWithIpsMessage() throws Exception {
        assumeTrue(NetNamespace.available(), "needs root, /dev/net/tun and /usr/sbin/ip");
        try (NetNamespace namespace = NetNamespace.create()) {
            LinkConfigurator ip = LinkConfigurator.inNamespace(namespace.name());
            assertFalse(ip.linkExists("nosuchdev"));
            assertTrue(ip.linkExists("lo"));
            IOException e = assertThrows(IOException.class, () -> ip.setMtu("nosuchdev", 1400));
            assertTrue(e.getMessage().endsWith(": Cannot find device \"nosuchdev\""), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            IOException gone = assertThrows(IOException.class, () -> ip.deleteLink("nosuchdev"));
            assertTrue(gone.getMessage().contains("nosuchdev"), gone.getMessage());
        }
    }

    @Test
    void refusesBadNamesWithoutRunningIp() {
        LinkConfigurator ip = LinkConfigurator.current();
        assertThrows(IllegalArgumentException.class, () -> ip.setUp("bad name"));
        assertThrows(IllegalArgumentException.class, () -> LinkConfigurator.inNamespace("-x"));
    }
}
