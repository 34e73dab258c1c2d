package io.ocbridge.core.peer;

import io.netty.util.collection.IntObjectHashMap;
import io.ocbridge.crypto.noise.Keypair;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maps the receiver index found in incoming messages to the peer (and, once keys exist, the
 * keypair) it was handed out for. Indexes are random and unique per overlay; 0 is never used so it
 * can mean "none". Primitive-keyed, so a lookup allocates nothing. Owned by the event loop.
 */
public final class IndexTable {
    /** What an index points at: a pending handshake (keypair null) or a session. */
    public static final class Entry {
        private final Peer peer;
        private Keypair keypair;

        Entry(Peer peer) {
            this.peer = peer;
        }

        public Peer peer() { return peer; }
        public Keypair keypair() { return keypair; }
    }

    private final IntObjectHashMap<Entry> entries = new IntObjectHashMap<>();

    /** Reserves a fresh random index for {@code peer}'s handshake. */
    public int allocate(Peer peer) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int index;
        do {
            index = random.nextInt();
        } while (index == 0 || entries.containsKey(index));
        entries.put(index, new Entry(peer));
        return index;
    }

    /** Attaches the session derived from the handshake that used {@code index}. */
    public void attach(int index, Keypair keypair) {
        Entry entry = entries.get(index);
        if (entry != null) {
            entry.keypair = keypair;
        }
    }

    public Entry lookup(int index) {
        return entries.get(index);
    }

    public void remove(int index) {
        entries.remove(index);
    }

    /** Removes every index handed out for {@code peer} (pending handshakes and sessions). Walks the table. */
    public void removePeer(Peer peer) {
        java.util.List<Integer> doomed = null;
        for (IntObjectHashMap.PrimitiveEntry<Entry> e : entries.entries()) {
            if (e.value().peer == peer) {
                if (doomed == null) {
                    doomed = new java.util.ArrayList<>();
                }
                doomed.add(e.key());
            }
        }
        if (doomed != null) {
            for (int index : doomed) {
                entries.remove(index);
            }
        }
    }

    public int size() {
        return entries.size();
    }
}
