package io.ocbridge.core.uapi;

/**
 * A request the UAPI refuses: {@link #errno()} is what the client reads as {@code errno=N} (negative, as
 * wireguard-go sends it; {@code wg} prints its {@code strerror}), the message is for our log only.
 */
public final class UapiException extends Exception {
    /** Linux errno values, negated on the wire. */
    public static final int EIO = 5;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int EPROTO = 71;
    public static final int EMSGSIZE = 90;

    private final int errno;

    public UapiException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The value for the {@code errno=} line: negative. */
    public int errno() {
        return -errno;
    }
}
