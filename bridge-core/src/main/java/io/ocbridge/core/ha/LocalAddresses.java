package io.ocbridge.core.ha;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** Whether an address is configured on an interface of this host (this network namespace) that is up. */
final class LocalAddresses {
    private LocalAddresses() {
    }

    /**
     * True when {@code address} is on an interface that is administratively up. An address left on a downed link
     * (keepalived killed, its interface taken down) does not count: packets cannot leave from it.
     */
    static boolean isUpHere(InetAddress address) {
        try {
            NetworkInterface owner = NetworkInterface.getByInetAddress(address);
            return owner != null && owner.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
