/**
 * Stretched Ethernet segments: the learning switch between a TAP and its peers, VXLAN encapsulation, the
 * safeguards (flood limits, flap damping, DHCP guard, ARP/ND suppression, per-peer table shares) and MAC
 * announcements. Runs on the overlay's event loop; uses {@code ip} and {@code packet}.
 */
package io.ocbridge.core.l2;
