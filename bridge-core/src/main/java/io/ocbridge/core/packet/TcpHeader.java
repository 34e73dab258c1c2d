package io.ocbridge.core.packet;

import io.netty.buffer.ByteBuf;

/** TCP header (RFC 9293): offsets from the header's first byte, flags and options; read in place. */
public final class TcpHeader {
    /** The header without options; the data offset may make it up to 60. */
    public static final int HEADER_BYTES = 20;
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    /** Data offset (high four bits, in 32-bit words) and reserved bits (low four). */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** The low four bits of the data-offset byte: reserved (and the experimental AE/NS bit). */
    public static final int DATA_OFFSET_RESERVED_MASK = 0x0f;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;

    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;
    public static final int FLAG_CWR = 0x80;

    // Options: kind, then (but for END and NOP) the length of the whole option and its value.
    public static final int OPTION_LENGTH_OFFSET = 1;
    public static final int OPTION_VALUE_OFFSET = 2;
    public static final int OPTION_END = 0;
    public static final int OPTION_NOP = 1;
    public static final int OPTION_MSS = 2;
    public static final int OPTION_MSS_BYTES = 4;

    private static final int DATA_OFFSET_UNIT_BYTES = 4;

    private TcpHeader() {}

    /** Header length in bytes (the data offset) of the TCP header at {@code at}; the caller checks it. */
    public static int headerBytes(ByteBuf segment, int at) {
        return headerBytes(segment.getUnsignedByte(at + DATA_OFFSET_OFFSET));
    }

    /** Header length in bytes from the data-offset byte, for a caller that has read it for the reserved bits too. */
    public static int headerBytes(int dataOffsetByte) {
        return (dataOffsetByte >>> 4) * DATA_OFFSET_UNIT_BYTES;
    }
}
