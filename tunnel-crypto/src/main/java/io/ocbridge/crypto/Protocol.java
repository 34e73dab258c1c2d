package io.ocbridge.crypto;

/**
 * Constants fixed by the WireGuard whitepaper (sections 5 and 6). Implementation choices live with
 * the class that makes them, not here.
 */
public final class Protocol {

    /** Noise protocol name; its BLAKE2s hash is the initial chaining key. */
    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    /** Mixed into the initial handshake hash so WireGuard transcripts differ from other Noise users. */
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public static final String LABEL_MAC1 = "mac1----";
    public static final String LABEL_COOKIE = "cookie--";

    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 - 2^13 - 1 read as unsigned; compare with {@link Long#compareUnsigned}. */
    public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);

    public static final long REKEY_AFTER_TIME_NANOS = 120_000_000_000L;
    public static final long REJECT_AFTER_TIME_NANOS = 180_000_000_000L;
    public static final long REKEY_ATTEMPT_TIME_NANOS = 90_000_000_000L;
    public static final long REKEY_TIMEOUT_NANOS = 5_000_000_000L;
    public static final long KEEPALIVE_TIMEOUT_NANOS = 10_000_000_000L;
    public static final long COOKIE_REFRESH_TIME_NANOS = 120_000_000_000L;

    public static final int MESSAGE_INITIATION = 1;
    public static final int MESSAGE_RESPONSE = 2;
    public static final int MESSAGE_COOKIE_REPLY = 3;
    public static final int MESSAGE_TRANSPORT = 4;

    public static final int KEY_SIZE = 32;
    public static final int HASH_SIZE = 32;
    public static final int MAC_SIZE = 16;
    public static final int COOKIE_SIZE = 16;
    public static final int TAG_SIZE = 16;
    public static final int TIMESTAMP_SIZE = 12;
    public static final int COOKIE_NONCE_SIZE = 24;

    public static final int INITIATION_SIZE = 148;
    public static final int RESPONSE_SIZE = 92;
    public static final int COOKIE_REPLY_SIZE = 64;
    public static final int TRANSPORT_HEADER_SIZE = 16;
    /** Transport plaintext is zero-padded to a multiple of this before sealing. */
    public static final int PADDING_MULTIPLE = 16;

    private Protocol() {
    }
}
