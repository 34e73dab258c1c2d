/**
 * Header layouts of the protocols the data path parses (Ethernet and its VLAN tags today): offsets and readers in one
 * place, used by the L2 switch, the IP-level code and the offloads alike. Depends on nothing of ours.
 */
package io.ocbridge.core.packet;
