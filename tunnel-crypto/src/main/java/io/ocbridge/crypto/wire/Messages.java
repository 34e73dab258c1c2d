package io.ocbridge.crypto.wire;

import io.ocbridge.crypto.Protocol;
import java.nio.ByteBuffer;

/** Classifies a datagram by its 4-byte header: type byte, then three reserved zero bytes. */
public final class Messages {

    /** Returned by {@link #messageType} for anything that is not one of the four message types. */
    public static final int INVALID = 0;

    public static final int TYPE_OFFSET = 0;
    public static final int HEADER_SIZE = 4;

    private Messages() {
    }

    /** The message type 1-4 of {@code buf[position..]}, or {@link #INVALID}. Does not move position. */
    public static int messageType(ByteBuffer buf) {
        if (buf.remaining() < HEADER_SIZE) {
            return INVALID;
        }
        int p = buf.position();
        if (buf.get(p + 1) != 0 || buf.get(p + 2) != 0 || buf.get(p + 3) != 0) {
            return INVALID;
        }
        int type = buf.get(p + TYPE_OFFSET);
        return type >= Protocol.MESSAGE_INITIATION && type <= Protocol.MESSAGE_TRANSPORT ? type : INVALID;
    }

    /**
     * True if {@code length} is legal for {@code type}: handshake messages have fixed sizes, transport
     * messages are a header plus at least a tag, the payload padded to 16 (keepalives are empty).
     */
    public static boolean hasValidLength(int type, int length) {
        return switch (type) {
            case Protocol.MESSAGE_INITIATION -> length == Protocol.INITIATION_SIZE;
            case Protocol.MESSAGE_RESPONSE -> length == Protocol.RESPONSE_SIZE;
            case Protocol.MESSAGE_COOKIE_REPLY -> length == Protocol.COOKIE_REPLY_SIZE;
            case Protocol.MESSAGE_TRANSPORT -> length >= Protocol.TRANSPORT_HEADER_SIZE + Protocol.TAG_SIZE;
            default -> false;
        };
    }

    /** Writes the type byte and three reserved zeros at {@code buf[index..index+4)}. */
    public static void putHeader(ByteBuffer buf, int index, int type) {
        buf.put(index, (byte) type);
        buf.put(index + 1, (byte) 0);
        buf.put(index + 2, (byte) 0);
        buf.put(index + 3, (byte) 0);
    }
}
