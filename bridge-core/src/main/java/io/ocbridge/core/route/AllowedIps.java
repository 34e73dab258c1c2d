package io.ocbridge.core.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.StampedLock;

/**
 * Cryptokey routing table: maps IPv4 and IPv6 prefixes to an owner (a peer) and finds the owner of
 * the longest prefix containing an address. A prefix has one owner; inserting it again moves it.
 *
 * <p>A path-compressed binary trie per family, the idea of wireguard-go's {@code allowedips.go}.
 * Keys are 128-bit, left-aligned ({@code high}, {@code low}) pairs; IPv4 uses the top 32 bits.
 * Every node's prefix is strictly longer than its parent's, so a walk takes at most 129 steps.
 *
 * <p>Threads: any number of data-path threads may look up while one control thread changes the
 * table. Lookups are optimistic reads under a {@link StampedLock} (no allocation, no lock write
 * in the common case); changes take the write lock. Owners are compared with {@code equals}.
 */
public final class AllowedIps<T> {

    private static final class Node<T> {
        final long high;
        final long low;
        final long maskHigh;
        final long maskLow;
        final int prefixLength;
        T value;
        Node<T> zero;
        Node<T> one;

        Node(long high, long low, int prefixLength, T value) {
            this.maskHigh = Cidr.maskHigh(prefixLength);
            this.maskLow = Cidr.maskLow(prefixLength);
            this.high = high & maskHigh;
            this.low = low & maskLow;
            this.prefixLength = prefixLength;
            this.value = value;
        }

        boolean contains(long addressHigh, long addressLow) {
            return (addressHigh & maskHigh) == high && (addressLow & maskLow) == low;
        }

        /** The child on the side of {@code bit(prefixLength)} of the address; precondition: length < 128. */
        Node<T> child(long addressHigh, long addressLow) {
            return bitAt(addressHigh, addressLow, prefixLength) == 0 ? zero : one;
        }

        void setChild(int bit, Node<T> child) {
            if (bit == 0) {
                zero = child;
            } else {
                one = child;
            }
        }
    }

    private final StampedLock lock = new StampedLock();
    private Node<T> rootV4;
    private Node<T> rootV6;

    /** Makes {@code value} the owner of {@code address/prefixLength}; host bits are ignored. */
    public void insert(byte[] address, int prefixLength, T value) {
        insert(Cidr.of(address, prefixLength), value);
    }

    /** Makes {@code value} the owner of {@code prefix}; host bits are ignored. */
    public void insert(Cidr prefix, T value) {
        Objects.requireNonNull(value, "value");
        long stamp = lock.writeLock();
        try {
            if (prefix.isIpv6()) {
                rootV6 = insert(rootV6, prefix.high(), prefix.low(), prefix.prefixLength(), value);
            } else {
                rootV4 = insert(rootV4, prefix.high(), prefix.low(), prefix.prefixLength(), value);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Removes every prefix owned by {@code value}. Walks the whole table: a control-plane operation. */
    public void removeValue(T value) {
        long stamp = lock.writeLock();
        try {
            rootV4 = removeValue(rootV4, value);
            rootV6 = removeValue(rootV6, value);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The prefixes owned by {@code value}, IPv4 first, each family in address order. */
    public List<Cidr> prefixesOf(T value) {
        List<Cidr> out = new ArrayList<>();
        long stamp = lock.readLock();
        try {
            collect(rootV4, Cidr.Family.IPV4, value, out);
            collect(rootV6, Cidr.Family.IPV6, value, out);
        } finally {
            lock.unlockRead(stamp);
        }
        return out;
    }

    /**
     * Every owner's prefixes, IPv4 then IPv6 each in trie order (as {@link #prefixesOf} lists them), from one walk
     * of the trie: for all peers at once, where a {@code prefixesOf} per peer would walk it once per peer.
     */
    public Map<T, List<Cidr>> prefixesByOwner() {
        Map<T, List<Cidr>> out = new HashMap<>();
        long stamp = lock.readLock();
        try {
            collectAll(rootV4, Cidr.Family.IPV4, out);
            collectAll(rootV6, Cidr.Family.IPV6, out);
        } finally {
            lock.unlockRead(stamp);
        }
        return out;
    }

    /** The owner of the longest prefix containing a 4- or 16-byte address, or null. */
    public T lookup(byte[] address) {
        Cidr host = Cidr.of(address, address.length * 8);
        return host.isIpv6() ? lookupV6(host.high(), host.low()) : lookup(false, host.high(), 0);
    }

    /** The owner for an IPv4 address in network order as read by {@code ByteBuffer.getInt}, or null. */
    public T lookupV4(int address) {
        return lookup(false, (address & 0xFFFF_FFFFL) << 32, 0);
    }

    /** The owner for an IPv6 address given as its two big-endian 64-bit halves, or null. */
    public T lookupV6(long high, long low) {
        return lookup(true, high, low);
    }

    private T lookup(boolean v6, long high, long low) {
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            T found = walk(v6 ? rootV6 : rootV4, high, low);
            if (lock.validate(stamp)) {
                return found;
            }
        }
        stamp = lock.readLock();
        try {
            return walk(v6 ? rootV6 : rootV4, high, low);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private static <T> T walk(Node<T> node, long high, long low) {
        T found = null;
        while (node != null && node.contains(high, low)) {
            T value = node.value;
            if (value != null) {
                found = value;
            }
            if (node.prefixLength == 128) {
                break;
            }
            node = node.child(high, low);
        }
        return found;
    }

    /** Inserts into the subtree at {@code node}; returns the subtree's new root. */
    private static <T> Node<T> insert(Node<T> node, long high, long low, int length, T value) {
        if (node == null) {
            return new Node<>(high, low, length, value);
        }
        int common = Math.min(commonBits(node.high, node.low, high, low), Math.min(length, node.prefixLength));
        if (common == node.prefixLength) {
            if (length == node.prefixLength) {
                node.value = value;
            } else {
                int bit = bitAt(high, low, node.prefixLength);
                node.setChild(bit, insert(bit == 0 ? node.zero : node.one, high, low, length, value));
            }
            return node;
        }
        Node<T> added = new Node<>(high, low, length, value);
        if (common == length) {
            added.setChild(bitAt(node.high, node.low, length), node);
            return added;
        }
        Node<T> fork = new Node<>(high, low, common, null);
        fork.setChild(bitAt(high, low, common), added);
        fork.setChild(bitAt(node.high, node.low, common), node);
        return fork;
    }

    /** Clears {@code value} in the subtree and drops nodes that no longer route or fork. */
    private static <T> Node<T> removeValue(Node<T> node, T value) {
        if (node == null) {
            return null;
        }
        node.zero = removeValue(node.zero, value);
        node.one = removeValue(node.one, value);
        if (value.equals(node.value)) {
            node.value = null;
        }
        if (node.value == null && (node.zero == null || node.one == null)) {
            return node.zero != null ? node.zero : node.one;
        }
        return node;
    }

    private static <T> void collect(Node<T> node, Cidr.Family family, T value, List<Cidr> out) {
        if (node == null) {
            return;
        }
        if (value.equals(node.value)) {
            out.add(new Cidr(family, node.high, node.low, node.prefixLength));
        }
        collect(node.zero, family, value, out);
        collect(node.one, family, value, out);
    }

    private static <T> void collectAll(Node<T> node, Cidr.Family family, Map<T, List<Cidr>> out) {
        if (node == null) {
            return;
        }
        if (node.value != null) {
            out.computeIfAbsent(node.value, v -> new ArrayList<>(2))
                    .add(new Cidr(family, node.high, node.low, node.prefixLength));
        }
        collectAll(node.zero, family, out);
        collectAll(node.one, family, out);
    }

    private static int commonBits(long aHigh, long aLow, long bHigh, long bLow) {
        long x = aHigh ^ bHigh;
        return x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(aLow ^ bLow);
    }

    /** Bit {@code index} (0 = most significant) of a 128-bit key; index must be below 128. */
    private static int bitAt(long high, long low, int index) {
        return (int) (index < 64 ? high >>> (63 - index) : low >>> (127 - index)) & 1;
    }
}
