package io.ocbridge.core.overlay;

import io.ocbridge.core.peer.IndexTable;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.Keypair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who an overlay talks to: its peers by public key and by name, cryptokey routing (allowed-ips), and the receiver
 * indexes its sessions and pending handshakes hold. One owner thread, the overlay's event loop.
 */
final class PeerRegistry {
    private static final int MAX_REMOVED_TIMESTAMPS = 4096;

    private final IndexTable indexTable = new IndexTable();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final Map<PublicKey, Peer> byKey = new HashMap<>();
    private final Map<String, Peer> byName = new HashMap<>();
    private final List<Peer> peers = new ArrayList<>();
    /**
     * The last initiation timestamp accepted from each removed peer, by public key: a peer added again (a reload that
     * changed its preshared key re-creates it) keeps refusing initiations recorded before, so an on-path attacker
     * cannot replay one to move its endpoint. Bounded; the oldest removals are forgotten first.
     */
    private final Map<PublicKey, byte[]> removedTimestamps = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PublicKey, byte[]> eldest) {
            return size() > MAX_REMOVED_TIMESTAMPS;
        }
    };

    boolean contains(PublicKey key) {
        return byKey.containsKey(key);
    }

    /** Whether {@code peer} is (still) the registered peer for its key: false once removed or replaced. */
    boolean isCurrent(Peer peer) {
        return byKey.get(peer.publicKey()) == peer;
    }

    /** The initiation timestamp last accepted from a removed peer with this key, forgotten as it is handed out. */
    byte[] takeRemovedTimestamp(PublicKey key) {
        return removedTimestamps.remove(key);
    }

    void add(Peer peer, List<Cidr> allowed) {
        peers.add(peer);
        byKey.put(peer.publicKey(), peer);
        byName.putIfAbsent(peer.name(), peer);
        replaceAllowedIps(peer, allowed);
    }

    /**
     * Removes {@code peer}: its prefixes, every index it holds, its keys (zeroed) and staged packets. False if it was not
     * here.
     */
    boolean remove(Peer peer) {
        if (!peers.remove(peer)) {
            return false;
        }
        byKey.remove(peer.publicKey());
        byName.remove(peer.name(), peer);
        removedTimestamps.put(peer.publicKey(), peer.handshake().lastTimestamp());
        allowedIps.removeValue(peer);
        retire(peer.keypairs().destroyAll());
        indexTable.removePeer(peer);
        peer.clearAll();
        return true;
    }

    /** Replaces a peer's allowed-ips; a prefix another peer held moves to this one. */
    void replaceAllowedIps(Peer peer, List<Cidr> allowed) {
        allowedIps.removeValue(peer);
        for (Cidr prefix : allowed) {
            allowedIps.insert(prefix, peer);
        }
    }

    /** Retires keypairs pushed out of a peer's slots: their indexes are freed and keys zeroed. */
    void retire(Keypair... keypairs) {
        for (Keypair k : keypairs) {
            if (k != null) {
                indexTable.remove(k.localIndex());
                k.destroy();
            }
        }
    }

    /** Zeroes a peer's keys and handshake state, and frees the indexes its sessions and pending initiation held. */
    void eraseSessions(Peer peer) {
        retire(peer.keypairs().destroyAll());
        if (peer.pendingInitiationIndex() != 0) {
            indexTable.remove(peer.pendingInitiationIndex());
        }
        peer.clearAll();
    }

    Peer byKey(PublicKey key) {
        return byKey.get(key);
    }

    Peer byName(String name) {
        return byName.get(name);
    }

    List<Peer> all() {
        return Collections.unmodifiableList(peers);
    }

    AllowedIps<Peer> allowedIps() {
        return allowedIps;
    }

    IndexTable indexTable() {
        return indexTable;
    }
}
