package io.ocbridge.core.ip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.packet.Ipv4Header;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Reassembles IPv4 fragments (RFC 791 section 3.2, "reassembly"), bounded like Linux's
 * ipfrag_high_thresh and ipfrag_time. Fragment data is copied at arrival into one buffer per
 * datagram; a bitmap of 8-byte blocks records what arrived, so duplicates are recognised, and an
 * overlap whose bytes differ discards the whole datagram (RFC 5722 style). When the datagram or byte
 * bound is reached the oldest pending datagrams are evicted, so a burst of stray fragments (one at
 * a high offset costs a buffer up to that offset) delays reassembly only until newer traffic pushes
 * it out, not for a whole timeout. All per-datagram state is preallocated at construction: nothing
 * is allocated per fragment except datagram buffers.
 *
 * <p>Fair eviction: the bounds are shared by every source address (inside a tunnel, each peer's
 * VXLAN endpoint), so room is taken first from whoever holds more than its share (the bound over
 * the sources pending). A source at or over its share makes room by evicting its own oldest
 * datagram; one under it evicts the oldest datagram of a source over its share, and only when
 * there is none the oldest of all. So a peer flooding fragments pushes out its own, not another
 * peer's ({@link #evictedOverShare}).
 *
 * <p>Threads: one owner thread calls every method.
 */
public final class Ipv4Reassembler {
    /** Why a fragment, or the datagram it belonged to, was thrown away. One counter per value. */
    public enum Discard {
        /** Unparseable header, bad header checksum, empty fragment, a non-last fragment not a multiple of 8, or
         *  pieces that disagree on where the datagram ends. */
        MALFORMED,
        /** A fragment overlapping data already received with different bytes. */
        OVERLAP,
        /** Reassembled datagram would exceed 65535 bytes. */
        TOO_BIG,
        /** An older datagram evicted to make room within maxBytes, or a datagram that alone would exceed it. */
        NO_MEMORY,
        /** The oldest datagram, evicted for a new one while maxDatagrams were pending. */
        TOO_MANY_DATAGRAMS
    }

    // Specification (RFC 791): the layout is Ipv4Header.
    private static final int MIN_HEADER_BYTES = Ipv4Header.HEADER_BYTES;
    private static final int MAX_HEADER_BYTES = Ipv4Header.MAX_HEADER_BYTES;
    private static final int MAX_DATAGRAM_BYTES = Ipv4Header.MAX_TOTAL_LENGTH;
    private static final int BLOCK_BYTES = Ipv4Header.FRAGMENT_UNIT_BYTES;
    private static final int WORDS_PER_DATAGRAM = (MAX_DATAGRAM_BYTES + 1) / BLOCK_BYTES / Long.SIZE;

    // Implementation choices.
    private static final int MAX_DATAGRAMS_LIMIT = 1 << 16;

    private final ByteBufAllocator alloc;
    private final int maxBytes;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final int headroom;
    /** Where fragment offset 0 lands in a datagram buffer: after headroom and a minimal header. */
    private final int dataBase;
    private final int hashSeed = ThreadLocalRandom.current().nextInt();

    // Per-datagram state, indexed by slot.
    /** Pending datagrams in arrival order of their first fragment, so also in deadline order. */
    private final int[] older;
    private final int[] newer;
    private int oldest = -1;
    private int newest = -1;
    private final int[] source;
    private final int[] destination;
    private final int[] identification;
    private final int[] protocol;
    private final long[] deadlineNanos;
    private final ByteBuf[] data;
    private final int[] chargedBytes;
    /** IHL*4 of the offset-0 fragment, 0 until it arrives; its header is kept in {@link #headers}. */
    private final int[] headerBytes;
    private final byte[] headers;
    /** Payload length once the last fragment (MF=0) arrived, else -1. */
    private final int[] payloadBytes;
    private final int[] maxEnd;
    private final int[] receivedBytes;
    private final long[] blocks;
    private final int[] freeSlots;
    private int freeCount;

    /** Open-addressing index by key: slot + 1, 0 when empty; at most half full. */
    private final int[] index;
    private final int indexMask;

    /** Pending datagrams and bytes per source address, open addressing; a bucket with 0 datagrams is empty. */
    private final int[] sourceAddress;
    private final int[] sourceDatagrams;
    private final int[] sourceBytes;
    private int activeSources;
    private long evictedOverShare;

    private int pendingBytes;
    private int pendingDatagrams;
    private long reassembled;
    private long timedOut;
    private final long[] discards = new long[Discard.values().length];

    public Ipv4Reassembler(
            ByteBufAllocator alloc, int maxBytes, int maxDatagrams, long timeoutNanos, LongSupplier nanoClock) {
        this(alloc, maxBytes, maxDatagrams, timeoutNanos, nanoClock, 0);
    }

    /** As above; reassembled datagrams start {@code headroom} bytes into their buffer. */
    public Ipv4Reassembler(
            ByteBufAllocator alloc, int maxBytes, int maxDatagrams, long timeoutNanos, LongSupplier nanoClock, int headroom) {
        if (maxBytes <= 0 || maxDatagrams <= 0 || maxDatagrams > MAX_DATAGRAMS_LIMIT || timeoutNanos <= 0 || headroom < 0
                || headroom > Integer.MAX_VALUE - MAX_DATAGRAM_BYTES) {
            throw new IllegalArgumentException("maxBytes, maxDatagrams (<= 65536), timeoutNanos must be positive, headroom >= 0");
        }
        this.alloc = alloc;
        this.maxBytes = maxBytes;
        this.timeoutNanos = timeoutNanos;
        this.nanoClock = nanoClock;
        this.headroom = headroom;
        this.dataBase = headroom + MIN_HEADER_BYTES;
        older = new int[maxDatagrams];
        newer = new int[maxDatagrams];
        source = new int[maxDatagrams];
        destination = new int[maxDatagrams];
        identification = new int[maxDatagrams];
        protocol = new int[maxDatagrams];
        deadlineNanos = new long[maxDatagrams];
        data = new ByteBuf[maxDatagrams];
        chargedBytes = new int[maxDatagrams];
        headerBytes = new int[maxDatagrams];
        headers = new byte[maxDatagrams * MAX_HEADER_BYTES];
        payloadBytes = new int[maxDatagrams];
        maxEnd = new int[maxDatagrams];
        receivedBytes = new int[maxDatagrams];
        blocks = new long[maxDatagrams * WORDS_PER_DATAGRAM];
        freeSlots = new int[maxDatagrams];
        for (int i = 0; i < maxDatagrams; i++) {
            freeSlots[i] = maxDatagrams - 1 - i;
        }
        freeCount = maxDatagrams;
        index = new int[Integer.highestOneBit(maxDatagrams) << 2];
        indexMask = index.length - 1;
        sourceAddress = new int[index.length];
        sourceDatagrams = new int[index.length];
        sourceBytes = new int[index.length];
    }

    /**
     * Offers the IPv4 packet at {@code packet}'s readerIndex; bytes past its total length are ignored.
     * Not a fragment (MF=0, offset 0): returned as-is. A fragment: consumed; returns the complete datagram
     * (new buffer owned by the caller, readerIndex = headroom, MF and offset cleared, total length and header
     * checksum fixed) when this was its last missing piece, else null. A packet whose header cannot be parsed
     * is released and counted as {@link Discard#MALFORMED}. Never throws on any input.
     */
    public ByteBuf offer(ByteBuf packet) {
        int ip = packet.readerIndex();
        int readable = packet.readableBytes();
        if (readable < MIN_HEADER_BYTES) {
            return discard(-1, packet, Discard.MALFORMED);
        }
        int versionIhl = packet.getUnsignedByte(ip + Ipv4Header.VERSION_IHL_OFFSET);
        int ihl = Ipv4Header.headerBytes(versionIhl);
        int totalLength = packet.getUnsignedShort(ip + Ipv4Header.TOTAL_LENGTH_OFFSET);
        if (versionIhl >>> 4 != Ipv4Header.VERSION || ihl < MIN_HEADER_BYTES || totalLength < ihl
                || totalLength > readable) {
            return discard(-1, packet, Discard.MALFORMED);
        }
        int flagsOffset = packet.getUnsignedShort(ip + Ipv4Header.FRAGMENT_OFFSET);
        boolean more = (flagsOffset & Ipv4Header.FLAG_MF) != 0;
        int offset = (flagsOffset & Ipv4Header.FRAGMENT_OFFSET_MASK) * BLOCK_BYTES;
        if (!more && offset == 0) {
            return packet;
        }
        if (Checksums.sum(packet, ip, ihl, 0) != 0xFFFF) {
            return discard(-1, packet, Discard.MALFORMED); // its key cannot be trusted either
        }
        int src = packet.getInt(ip + Ipv4Header.SRC_OFFSET);
        int dst = packet.getInt(ip + Ipv4Header.DST_OFFSET);
        int id = packet.getUnsignedShort(ip + Ipv4Header.IDENTIFICATION_OFFSET);
        int proto = packet.getUnsignedByte(ip + Ipv4Header.PROTOCOL_OFFSET);
        int length = totalLength - ihl;
        int end = offset + length;

        long nowNanos = nanoClock.getAsLong();
        int slot = find(src, dst, id, proto);
        if (slot >= 0 && deadlineNanos[slot] - nowNanos <= 0) {
            timedOut++;
            free(slot);
            slot = -1;
        }
        if (length == 0 || (more && (length & (BLOCK_BYTES - 1)) != 0)) {
            return discard(slot, packet, Discard.MALFORMED);
        }
        if (end > MAX_DATAGRAM_BYTES - MIN_HEADER_BYTES) {
            return discard(slot, packet, Discard.TOO_BIG);
        }
        if (slot < 0) {
            if (freeCount == 0) {
                discards[Discard.TOO_MANY_DATAGRAMS.ordinal()]++;
                free(victim(src, false, -1));
            }
            slot = open(src, dst, id, proto, nowNanos);
        }
        if (!more) {
            if (end < maxEnd[slot] || (payloadBytes[slot] >= 0 && end != payloadBytes[slot])) {
                return discard(slot, packet, Discard.MALFORMED);
            }
            payloadBytes[slot] = end;
        } else if (payloadBytes[slot] >= 0 && end > payloadBytes[slot]) {
            return discard(slot, packet, Discard.MALFORMED);
        }
        maxEnd[slot] = Math.max(maxEnd[slot], end);
        if (!reserve(slot, dataBase + end, length)) {
            return discard(slot, packet, Discard.NO_MEMORY);
        }
        if (!merge(slot, packet, ip + ihl, offset, end)) {
            return discard(slot, packet, Discard.OVERLAP);
        }
        if (offset == 0 && headerBytes[slot] == 0) {
            packet.getBytes(ip, headers, slot * MAX_HEADER_BYTES, ihl);
            headerBytes[slot] = ihl;
        }
        packet.release();
        return receivedBytes[slot] == payloadBytes[slot] ? complete(slot) : null;
    }

    /** Drops datagrams whose first fragment arrived more than timeoutNanos ago; call on the owner's tick. */
    public void expire() {
        long nowNanos = nanoClock.getAsLong();
        while (oldest >= 0 && deadlineNanos[oldest] - nowNanos <= 0) {
            timedOut++;
            free(oldest);
        }
    }

    /** Releases every pending datagram (not counted as discarded). */
    public void clear() {
        while (oldest >= 0) {
            free(oldest);
        }
    }

    public long reassembled() {
        return reassembled;
    }

    public long timedOut() {
        return timedOut;
    }

    /** Discards of every reason: each is one fragment refused (with its datagram, if any) or one older datagram evicted. */
    public long discarded() {
        long total = 0;
        for (long count : discards) {
            total += count;
        }
        return total;
    }

    public long discarded(Discard reason) {
        return discards[reason.ordinal()];
    }

    public int pendingDatagrams() {
        return pendingDatagrams;
    }

    /** Evictions (counted under their reason too) that took a datagram of a source at or over its fair share. */
    public long evictedOverShare() {
        return evictedOverShare;
    }

    /** Capacity of the buffers held for pending datagrams; never above maxBytes. */
    public int pendingBytes() {
        return pendingBytes;
    }

    private ByteBuf discard(int slot, ByteBuf packet, Discard reason) {
        if (slot >= 0) {
            free(slot);
        }
        packet.release();
        discards[reason.ordinal()]++;
        return null;
    }

    /**
     * Makes the slot's buffer hold {@code needed} bytes, evicting older datagrams to stay within maxBytes;
     * false if this datagram alone would exceed it.
     */
    private boolean reserve(int slot, int needed, int fragmentBytes) {
        int capacity = chargedBytes[slot];
        if (needed <= capacity) {
            return true;
        }
        if (needed > maxBytes) {
            return false;
        }
        while (needed - capacity > maxBytes - pendingBytes) {  // each round frees one pending datagram
            int victim = victim(source[slot], true, slot);
            if (victim < 0) {
                break;
            }
            discards[Discard.NO_MEMORY.ordinal()]++;
            free(victim);
        }
        int limit = headroom + MAX_DATAGRAM_BYTES;
        int wanted;
        if (payloadBytes[slot] >= 0) {
            wanted = dataBase + payloadBytes[slot];
        } else if (capacity == 0) {
            wanted = Math.min(limit, needed + fragmentBytes); // room for one more fragment like this one
        } else {
            wanted = Math.min(limit, Math.max(needed, capacity * 2));
        }
        if (wanted - capacity > maxBytes - pendingBytes) {
            wanted = needed; // no room for the guess: just what this fragment needs
        }
        grow(slot, wanted);
        return true;
    }

    /**
     * The datagram to evict so that {@code requester} gets room, in datagrams or in {@code bytes}, never
     * {@code keep}: its own oldest if it is at or over its share, else the oldest of a source over its share,
     * else the oldest; -1 if there is nothing but {@code keep}. One walk over the pending datagrams.
     */
    private int victim(int requester, boolean bytes, int keep) {
        int sources = activeSources + (sourceDatagrams[sourceBucket(requester)] == 0 ? 1 : 0);
        long share = (bytes ? maxBytes : newer.length) / sources;
        boolean requesterOver = usage(requester, bytes) >= share;
        int oldestOther = -1;
        int oldestOver = -1;
        for (int slot = oldest; slot >= 0; slot = newer[slot]) {
            if (slot == keep) {
                continue;
            }
            if (requesterOver && source[slot] == requester) {
                evictedOverShare++;
                return slot;
            }
            if (oldestOther < 0) {
                oldestOther = slot;
            }
            if (oldestOver < 0 && usage(source[slot], bytes) > share) {
                oldestOver = slot;
                if (!requesterOver) {
                    break;
                }
            }
        }
        if (oldestOver >= 0) {
            evictedOverShare++;
            return oldestOver;
        }
        return oldestOther;
    }

    private int usage(int src, boolean bytes) {
        int bucket = sourceBucket(src);
        return sourceDatagrams[bucket] == 0 ? 0 : bytes ? sourceBytes[bucket] : sourceDatagrams[bucket];
    }

    /** The bucket of {@code src}, or the empty one where it would go. */
    private int sourceBucket(int src) {
        int mask = sourceAddress.length - 1;
        int i = sourceHash(src) & mask;
        while (sourceDatagrams[i] != 0 && sourceAddress[i] != src) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void charge(int src, int datagrams, int bytes) {
        int bucket = sourceBucket(src);
        if (sourceDatagrams[bucket] == 0) {
            sourceAddress[bucket] = src;
            sourceBytes[bucket] = 0;
            activeSources++;
        }
        sourceDatagrams[bucket] += datagrams;
        sourceBytes[bucket] += bytes;
        if (sourceDatagrams[bucket] == 0) {
            activeSources--;
            unindexSource(bucket);
        }
    }

    /** Linear-probing delete with backward shift, as {@link #unindex}. */
    private void unindexSource(int hole) {
        int mask = sourceAddress.length - 1;
        for (int i = (hole + 1) & mask; sourceDatagrams[i] != 0; i = (i + 1) & mask) {
            int home = sourceHash(sourceAddress[i]) & mask;
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                sourceAddress[hole] = sourceAddress[i];
                sourceDatagrams[hole] = sourceDatagrams[i];
                sourceBytes[hole] = sourceBytes[i];
                sourceDatagrams[i] = 0;
                hole = i;
            }
        }
    }

    private int sourceHash(int src) {
        int h = (hashSeed ^ src) * 0x9E3779B1;
        return h ^ (h >>> 16);
    }

    private void grow(int slot, int newCapacity) {
        ByteBuf old = data[slot];
        ByteBuf grown = alloc.directBuffer(newCapacity, headroom + MAX_DATAGRAM_BYTES);
        if (old != null) {
            grown.setBytes(0, old, 0, old.capacity());
            old.release();
        }
        grown.setIndex(0, grown.capacity()); // whole buffer comparable by ByteBufUtil.equals
        data[slot] = grown;
        pendingBytes += grown.capacity() - chargedBytes[slot];
        charge(source[slot], 0, grown.capacity() - chargedBytes[slot]);
        chargedBytes[slot] = grown.capacity();
    }

    /** Copies the fragment's new blocks in; false if a block already present holds different bytes. */
    private boolean merge(int slot, ByteBuf packet, int payloadIndex, int offset, int end) {
        ByteBuf buffer = data[slot];
        int base = slot * WORDS_PER_DATAGRAM;
        int lastBlock = (end + BLOCK_BYTES - 1) / BLOCK_BYTES;
        int block = offset / BLOCK_BYTES;
        while (block < lastBlock) {
            boolean present = isSet(base, block);
            int runEnd = block + 1;
            while (runEnd < lastBlock && isSet(base, runEnd) == present) {
                runEnd++;
            }
            int from = block * BLOCK_BYTES;
            int bytes = Math.min(runEnd * BLOCK_BYTES, end) - from;
            int sourceIndex = payloadIndex + from - offset;
            if (present) {
                if (!ByteBufUtil.equals(packet, sourceIndex, buffer, dataBase + from, bytes)) {
                    return false;
                }
            } else {
                ByteBufViews.copy(packet, sourceIndex, buffer, dataBase + from, bytes);
                for (int b = block; b < runEnd; b++) {
                    blocks[base + (b >>> 6)] |= 1L << b;
                }
                receivedBytes[slot] += bytes;
            }
            block = runEnd;
        }
        return true;
    }

    private boolean isSet(int base, int block) {
        return (blocks[base + (block >>> 6)] & (1L << block)) != 0;
    }

    private ByteBuf complete(int slot) {
        int ihl = headerBytes[slot];
        int payload = payloadBytes[slot];
        if (ihl + payload > MAX_DATAGRAM_BYTES) {
            discards[Discard.TOO_BIG.ordinal()]++;
            free(slot);
            return null;
        }
        int shift = ihl - MIN_HEADER_BYTES;
        if (shift > 0) { // IP options: move the payload up behind the longer header
            if (data[slot].capacity() < dataBase + shift + payload) {
                grow(slot, dataBase + shift + payload);
            }
            moveUp(data[slot], dataBase, dataBase + shift, payload);
        }
        ByteBuf datagram = data[slot];
        data[slot] = null;
        datagram.setBytes(headroom, headers, slot * MAX_HEADER_BYTES, ihl);
        datagram.setShort(headroom + Ipv4Header.TOTAL_LENGTH_OFFSET, ihl + payload);
        int flags = datagram.getUnsignedShort(headroom + Ipv4Header.FRAGMENT_OFFSET);
        datagram.setShort(headroom + Ipv4Header.FRAGMENT_OFFSET, flags & ~Ipv4Header.MF_AND_OFFSET_MASK);
        datagram.setShort(headroom + Ipv4Header.CHECKSUM_OFFSET, 0);
        datagram.setShort(headroom + Ipv4Header.CHECKSUM_OFFSET, Checksums.ipv4Header(datagram, headroom));
        datagram.setIndex(headroom, headroom + ihl + payload);
        reassembled++;
        free(slot);
        return datagram;
    }

    /** memmove to a higher index: copies from the top down so the source is read before it is overwritten. */
    private static void moveUp(ByteBuf buffer, int from, int to, int length) {
        int i = length;
        while (i >= Long.BYTES) {
            i -= Long.BYTES;
            buffer.setLong(to + i, buffer.getLong(from + i));
        }
        while (i > 0) {
            i--;
            buffer.setByte(to + i, buffer.getByte(from + i));
        }
    }

    private int open(int src, int dst, int id, int proto, long nowNanos) {
        int slot = freeSlots[--freeCount];
        older[slot] = newest;
        newer[slot] = -1;
        if (newest >= 0) {
            newer[newest] = slot;
        } else {
            oldest = slot;
        }
        newest = slot;
        source[slot] = src;
        destination[slot] = dst;
        identification[slot] = id;
        protocol[slot] = proto;
        deadlineNanos[slot] = nowNanos + timeoutNanos;
        headerBytes[slot] = 0;
        payloadBytes[slot] = -1;
        maxEnd[slot] = 0;
        receivedBytes[slot] = 0;
        chargedBytes[slot] = 0;
        int i = hash(src, dst, id, proto) & indexMask;
        while (index[i] != 0) {
            i = (i + 1) & indexMask;
        }
        index[i] = slot + 1;
        pendingDatagrams++;
        charge(src, 1, 0);
        return slot;
    }

    /** Releases the slot's buffer (if still held) and returns the slot to the free list. */
    private void free(int slot) {
        if (data[slot] != null) {
            data[slot].release();
            data[slot] = null;
        }
        pendingBytes -= chargedBytes[slot];
        charge(source[slot], -1, -chargedBytes[slot]);
        chargedBytes[slot] = 0;
        int usedWords = (maxEnd[slot] + BLOCK_BYTES * Long.SIZE - 1) / (BLOCK_BYTES * Long.SIZE);
        int base = slot * WORDS_PER_DATAGRAM;
        Arrays.fill(blocks, base, base + Math.min(usedWords, WORDS_PER_DATAGRAM), 0L);
        unindex(slot);
        if (older[slot] >= 0) {
            newer[older[slot]] = newer[slot];
        } else {
            oldest = newer[slot];
        }
        if (newer[slot] >= 0) {
            older[newer[slot]] = older[slot];
        } else {
            newest = older[slot];
        }
        freeSlots[freeCount++] = slot;
        pendingDatagrams--;
    }

    private int find(int src, int dst, int id, int proto) {
        int i = hash(src, dst, id, proto) & indexMask;
        for (int entry = index[i]; entry != 0; entry = index[i]) {
            int slot = entry - 1;
            if (source[slot] == src && destination[slot] == dst && identification[slot] == id && protocol[slot] == proto) {
                return slot;
            }
            i = (i + 1) & indexMask;
        }
        return -1;
    }

    /** Linear-probing delete with backward shift, so lookups never need tombstones. */
    private void unindex(int slot) {
        int hole = hash(source[slot], destination[slot], identification[slot], protocol[slot]) & indexMask;
        while (index[hole] != slot + 1) {
            hole = (hole + 1) & indexMask;
        }
        index[hole] = 0;
        for (int i = (hole + 1) & indexMask; index[i] != 0; i = (i + 1) & indexMask) {
            int other = index[i] - 1;
            int home = hash(source[other], destination[other], identification[other], protocol[other]) & indexMask;
            if (((i - home) & indexMask) >= ((i - hole) & indexMask)) {
                index[hole] = index[i];
                index[i] = 0;
                hole = i;
            }
        }
    }

    private int hash(int src, int dst, int id, int proto) {
        int h = hashSeed;
        h = (h ^ src) * 0x9E3779B1;
        h = (h ^ dst) * 0x85EBCA77;
        h = (h ^ (id << 8 | proto)) * 0xC2B2AE3D;
        return h ^ (h >>> 15);
    }
}
