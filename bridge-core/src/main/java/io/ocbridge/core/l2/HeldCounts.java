package io.ocbridge.core.l2;

import java.util.IdentityHashMap;

/**
 * How many entries of a bounded table each owner holds, so that no owner fills more than its share. Owners are
 * compared by identity; one with nothing left is forgotten. One owner thread.
 *
 * @param <T> the owner (a segment port)
 */
final class HeldCounts<T> {
    private final IdentityHashMap<T, int[]> held = new IdentityHashMap<>();

    int of(T owner) {
        int[] count = held.get(owner);
        return count == null ? 0 : count[0];
    }

    void add(T owner, int delta) {
        int[] count = held.get(owner);
        if (count == null) {
            held.put(owner, count = new int[1]);
        }
        count[0] += delta;
        if (count[0] == 0) {
            held.remove(owner);
        }
    }
}
