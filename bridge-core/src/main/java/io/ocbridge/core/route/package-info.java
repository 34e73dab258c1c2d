/**
 * Addresses and prefixes without name lookups ({@code Cidr}), and the allowed-IPs trie for cryptokey routing
 * (longest prefix, IPv4 and IPv6), and what a forced tunnel routes ({@code ForcedTunnel}). Depends on nothing of ours.
 */
package io.ocbridge.core.route;
