package io.ocbridge.core.overlay;

import io.ocbridge.core.peer.Peer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * First contact after a start or a takeover: every peer whose endpoint we know gets an initiation at once, so
 * sessions come back in one round trip instead of on the peers' 15 s timers. A hub with thousands of peers must not
 * send them all in one burst (its own CPU does a Diffie-Hellman per initiation, and a burst overflows socket
 * buffers), nor take minutes: the first {@link #BURST} go on the next tick, the rest at {@link #PER_SECOND}, in a
 * random order so that restarts of several gateways do not line up. 10,000 peers take 10 s. Event loop only.
 */
final class InitiationPacer {
    static final int BURST = 64;
    static final int PER_SECOND = 1_000;

    private final ArrayDeque<Peer> queue = new ArrayDeque<>();
    private final Random random;
    private double tokens;
    private long lastRefillNanos;

    InitiationPacer(Random random) {
        this.random = random;
    }

    /** Queues {@code peers} (those with an endpoint) in a random order, replacing what was queued. */
    void schedule(List<Peer> peers, long now) {
        List<Peer> known = new ArrayList<>(peers.size());
        for (Peer peer : peers) {
            if (peer.endpoint() != null) {
                known.add(peer);
            }
        }
        Collections.shuffle(known, random);
        queue.clear();
        queue.addAll(known);
        tokens = BURST;
        lastRefillNanos = now;
    }

    /** Hands {@code initiate} as many queued peers as the pace allows at {@code now}. */
    void release(long now, Consumer<Peer> initiate) {
        if (queue.isEmpty()) {
            return;
        }
        tokens = Math.min(BURST, tokens + (now - lastRefillNanos) * (PER_SECOND / 1e9));
        lastRefillNanos = now;
        while (tokens >= 1 && !queue.isEmpty()) {
            tokens--;
            initiate.accept(queue.pollFirst());
        }
    }

    /** Forgets the queue (an HA standby contacts nobody). */
    void clear() {
        queue.clear();
    }

    int queued() {
        return queue.size();
    }
}
