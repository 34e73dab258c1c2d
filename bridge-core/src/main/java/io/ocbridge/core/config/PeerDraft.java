package io.ocbridge.core.config;

import io.ocbridge.core.config.MappingReader.Item;
import io.ocbridge.core.route.Cidr;
import java.util.List;

/** A peer as read, with its reader and allowed-ips nodes kept for the checks across peers. */
record PeerDraft(PeerConfig config, MappingReader map, List<Item<Cidr>> allowedIps) {
}
