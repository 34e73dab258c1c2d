package io.ocbridge.core.buffer;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import java.nio.ByteBuffer;

/**
 * Copies between buffers and arrays that allocate nothing. On Java 25 Netty runs without
 * {@code sun.misc.Unsafe} ({@code io.netty.noUnsafe=true} by default from Java 25), so a pooled
 * direct buffer's {@code getBytes(int, byte[])}, {@code nioBuffer} and {@code setBytes(int, ByteBuf)}
 * each build fresh {@link ByteBuffer} views of the chunk: a few hundred bytes of garbage per packet.
 * These go through {@link ByteBuf#internalNioBuffer}, the buffer's one cached view (pooled buffers
 * hand it back to their chunk on release), so the data path allocates nothing per packet.
 *
 * <p>A derived buffer (duplicate, slice) has no cached view of its own: Netty answers its
 * {@code internalNioBuffer} with a fresh one. Where the derived buffer maps its indexes one to one
 * onto its parent (a duplicate, a leak-detection wrapper, a slice of the whole buffer) the parent's
 * view serves; a partial slice still costs a view per call (Netty keeps its offset private).
 *
 * <p>The cached view is borrowed for the duration of one call: nothing here keeps it, and callers
 * must not hold one across a call. Buffers of more than one memory region (composites) and
 * read-only destinations fall back to Netty's own copy. Indexes are absolute; reader and writer
 * indexes are left alone unless the method says otherwise.
 */
public final class ByteBufViews {
    private ByteBufViews() {}

    /**
     * The buffer's cached NIO view of {@code [index, index + length)}: its position is the first byte
     * (absolute gets add {@code position()}). Borrowed: valid until the next call on {@code buf}.
     * Precondition: {@code buf.nioBufferCount() == 1}.
     */
    public static ByteBuffer view(ByteBuf buf, int index, int length) {
        return sameIndexes(buf).internalNioBuffer(index, length);
    }

    /** Copies {@code buf[index, index + length)} into {@code dst[offset...]}. */
    public static void getBytes(ByteBuf buf, int index, byte[] dst, int offset, int length) {
        if (buf.nioBufferCount() != 1) {
            buf.getBytes(index, dst, offset, length);
            return;
        }
        ByteBuffer view = sameIndexes(buf).internalNioBuffer(index, length);
        view.get(view.position(), dst, offset, length);
    }

    /** Copies {@code src[srcIndex, srcIndex + length)} to {@code dst[dstIndex...]}. */
    public static void copy(ByteBuf src, int srcIndex, ByteBuf dst, int dstIndex, int length) {
        if (length == 0) {
            return;
        }
        if (src.nioBufferCount() == 1 && dst.nioBufferCount() == 1 && !dst.isReadOnly()) {
            ByteBuffer from = sameIndexes(src).internalNioBuffer(srcIndex, length);
            ByteBuffer to = sameIndexes(dst).internalNioBuffer(dstIndex, length);
            if (from != to) {  // one cached view when both share a root buffer (a slice and its parent)
                to.put(from);
                return;
            }
        }
        dst.setBytes(dstIndex, src, srcIndex, length);
    }

    /**
     * The outermost buffer that {@code buf} shares memory and indexes with one to one: its parent as long as
     * both have the same capacity (a slice with the parent's capacity must start at 0). Refuses a released
     * {@code buf} as Netty would, since the parent's own checks no longer see it.
     */
    private static ByteBuf sameIndexes(ByteBuf buf) {
        if (buf.refCnt() == 0) {
            throw new IllegalReferenceCountException(0);
        }
        ByteBuf parent;
        while ((parent = buf.unwrap()) != null && parent.capacity() == buf.capacity()) {
            buf = parent;
        }
        return buf;
    }

    /** Appends {@code src[srcIndex, srcIndex + length)} at {@code dst}'s writer index, growing it if needed. */
    public static void append(ByteBuf dst, ByteBuf src, int srcIndex, int length) {
        dst.ensureWritable(length);
        int at = dst.writerIndex();
        copy(src, srcIndex, dst, at, length);
        dst.writerIndex(at + length);
    }
}
