package io.ocbridge.core.config;

import io.ocbridge.core.route.Cidr;
import java.net.InetAddress;

/**
 * The text of {@code ha.follow-address}: one unicast IP literal, no prefix, no name lookup. The address is what
 * keepalived adds and removes, so anything that can't be a VRRP virtual address that peers dial is refused here.
 */
final class FollowAddress {
    private FollowAddress() {
    }

    /** Why {@code text} can't be a follow-address, or null when it can. */
    static String problem(String text) {
        if (text.indexOf('/') >= 0) {
            return "must be the virtual address alone, without a prefix length, got \"" + text + "\"";
        }
        InetAddress address;
        try {
            address = Cidr.host(text).address();
        } catch (IllegalArgumentException e) {
            return "must be an IPv4 or IPv6 address, got \"" + text + "\"";
        }
        if (address.isAnyLocalAddress()) {
            return "must be a unicast host address, not the unspecified address " + text;
        }
        if (address.isMulticastAddress() || text.equals("255.255.255.255")) {
            return "must be a unicast host address, not the multicast or broadcast address " + text;
        }
        if (address.isLoopbackAddress()) {
            return "must be an address peers can reach, not the loopback address " + text;
        }
        if (address.isLinkLocalAddress() && address.getAddress().length == 16) {
            return "must not be an IPv6 link-local address (it needs a scope), got " + text;
        }
        return null;
    }

    /** The address of a text {@link #problem} accepted. */
    static InetAddress parse(String text) {
        return Cidr.host(text).address();
    }
}
