package io.ocbridge.crypto.noise;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.Initiation;
import io.ocbridge.crypto.wire.Messages;
import io.ocbridge.crypto.wire.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Noise IKpsk2 handshake with one peer, as initiator or responder. No I/O; messages are written
 * with zero MAC fields (CookieGenerator fills them). Not thread-safe: one owner thread.
 *
 * <p>States: ZEROED → createInitiation → INITIATION_CREATED → consumeResponse → ZEROED, and
 * ZEROED/any → Handshakes.consumeInitiation → INITIATION_CONSUMED → createResponse → ZEROED.
 */
public final class PeerHandshake {

    /** WireGuard accepts at most 50 initiations a second from one peer. */
    static final long INITIATION_MIN_INTERVAL_NANOS = 1_000_000_000L / 50;

    enum State { ZEROED, INITIATION_CREATED, INITIATION_CONSUMED }

    private final LocalIdentity local;
    private final PublicKey remoteStatic;
    private final byte[] presharedKey = new byte[Protocol.KEY_SIZE];
    /** DH(our static, their static): constant per peer, so computed once. */
    private final byte[] staticStatic = new byte[Protocol.KEY_SIZE];
    /** HASH(INITIAL_HASH || their static): where our initiations to them start. */
    private final byte[] initiatorInitialHash;
    private final Clock wallClock;
    private final LongSupplier nanoClock;
    /** Fresh per handshake; replaceable only so fixed cross-implementation vectors can be checked. */
    private Supplier<PrivateKey> ephemerals = PrivateKey::generate;

    private State state = State.ZEROED;
    /** The handshake in progress; null while ZEROED, so an idle peer holds no transcript state. */
    private SymmetricState symmetric;
    private PrivateKey localEphemeral;
    private PublicKey remoteEphemeral;
    private int localIndex;
    private int remoteIndex;
    /** Greatest timestamp accepted from this peer; zeros before the first. Survives clear(). */
    private final byte[] lastTimestamp = new byte[Protocol.TIMESTAMP_SIZE];
    private long lastInitiationConsumedNanos;
    private boolean initiationConsumedBefore;

    /**
     * @throws IllegalArgumentException if {@code remoteStatic} is a small-order point, with which no
     *     handshake can succeed (wireguard-go refuses such peers too)
     */
    public PeerHandshake(LocalIdentity local, PublicKey remoteStatic, PresharedKey psk, Clock wallClock,
                         LongSupplier nanoClock) {
        this.local = local;
        this.remoteStatic = remoteStatic;
        this.wallClock = wallClock;
        this.nanoClock = nanoClock;
        psk.copyTo(presharedKey, 0);
        if (!local.privateKey().sharedSecret(remoteStatic, staticStatic, 0)) {
            throw new IllegalArgumentException("peer public key is a low-order point");
        }
        this.initiatorInitialHash = SymmetricState.initialHashFor(remoteStatic.bytes());
    }

    public PublicKey remoteStatic() {
        return remoteStatic;
    }

    /** The greatest TAI64N timestamp accepted from this peer (zeros before the first); not secret. */
    public byte[] lastTimestamp() {
        return lastTimestamp.clone();
    }

    /**
     * Carries the replay history of an earlier handshake object for the same peer over to this one (a peer re-created
     * with a new preshared key): an initiation not later than {@code timestamp} stays refused, as if the peer had never
     * been re-created. Keeps the later of the two.
     */
    public void rememberTimestamp(byte[] timestamp) {
        if (timestamp.length == Protocol.TIMESTAMP_SIZE && Tai64n.after(timestamp, lastTimestamp)) {
            System.arraycopy(timestamp, 0, lastTimestamp, 0, Protocol.TIMESTAMP_SIZE);
        }
    }

    /** Copies the preshared key into {@code dst[offset..offset+32)} for a root-only query; the caller zeroes it. */
    public void copyPresharedKeyTo(byte[] dst, int offset) {
        System.arraycopy(presharedKey, 0, dst, offset, Protocol.KEY_SIZE);
    }

    /** A new preshared key for the next handshake; the current sessions are kept (as wireguard-go does). */
    public void presharedKey(PresharedKey psk) {
        psk.copyTo(presharedKey, 0);
    }

    void useEphemeralsForTest(Supplier<PrivateKey> source) {
        this.ephemerals = source;
    }

    LocalIdentity local() {
        return local;
    }

    State state() {
        return state;
    }

    /**
     * Writes a complete 148-byte initiation (MAC fields zero) at {@code dst.position()} and advances
     * it. Any handshake in progress is abandoned.
     */
    public void createInitiation(int senderIndex, ByteBuffer dst) {
        requireRoom(dst, Protocol.INITIATION_SIZE);
        clear();
        byte[] msg = new byte[Protocol.INITIATION_SIZE];
        ByteBuffer view = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
        Messages.putHeader(view, 0, Protocol.MESSAGE_INITIATION);
        view.putInt(Initiation.SENDER_OFFSET, senderIndex);

        SymmetricState s = symmetric = new SymmetricState();
        s.initialize(initiatorInitialHash);
        PrivateKey ephemeral = ephemerals.get();
        byte[] ephemeralPublic = ephemeral.publicKey().bytes();
        System.arraycopy(ephemeralPublic, 0, msg, Initiation.EPHEMERAL_OFFSET, Protocol.KEY_SIZE);
        s.mixHash(ephemeralPublic, 0, Protocol.KEY_SIZE);
        s.mixKey(ephemeralPublic);

        byte[] sharedSecret = new byte[Protocol.KEY_SIZE];
        byte[] key = new byte[Protocol.KEY_SIZE];
        if (!ephemeral.sharedSecret(remoteStatic, sharedSecret, 0)) {
            throw new IllegalStateException("unreachable: remote static was checked in the constructor");
        }
        s.mixKey(sharedSecret, key);
        s.encryptAndHash(key, local.publicKey().bytes(), msg, Initiation.STATIC_OFFSET);

        s.mixKey(staticStatic, key);
        s.encryptAndHash(key, Tai64n.now(wallClock), msg, Initiation.TIMESTAMP_OFFSET);
        zero(sharedSecret, key);

        localEphemeral = ephemeral;
        localIndex = senderIndex;
        state = State.INITIATION_CREATED;
        dst.put(msg);
    }

    /**
     * Responder, after {@link Handshakes#consumeInitiation} returned this peer: writes the 92-byte
     * response (MAC fields zero) at {@code dst.position()}, advances it and returns the session.
     *
     * @throws IllegalStateException if no initiation has been consumed since the last response
     */
    public Keypair createResponse(int senderIndex, ByteBuffer dst) {
        if (state != State.INITIATION_CONSUMED) {
            throw new IllegalStateException("no consumed initiation to respond to: " + state);
        }
        requireRoom(dst, Protocol.RESPONSE_SIZE);
        byte[] msg = new byte[Protocol.RESPONSE_SIZE];
        ByteBuffer view = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
        Messages.putHeader(view, 0, Protocol.MESSAGE_RESPONSE);
        view.putInt(Response.SENDER_OFFSET, senderIndex);
        view.putInt(Response.RECEIVER_OFFSET, remoteIndex);

        SymmetricState s = symmetric;
        PrivateKey ephemeral = ephemerals.get();
        byte[] ephemeralPublic = ephemeral.publicKey().bytes();
        System.arraycopy(ephemeralPublic, 0, msg, Response.EPHEMERAL_OFFSET, Protocol.KEY_SIZE);
        s.mixHash(ephemeralPublic, 0, Protocol.KEY_SIZE);
        s.mixKey(ephemeralPublic);

        byte[] sharedSecret = new byte[Protocol.KEY_SIZE];
        // Neither can be zero: consumeInitiation refused small-order ephemerals, the constructor statics.
        if (!ephemeral.sharedSecret(remoteEphemeral, sharedSecret, 0)) {
            throw new IllegalStateException("unreachable: remote ephemeral was checked");
        }
        s.mixKey(sharedSecret);
        if (!ephemeral.sharedSecret(remoteStatic, sharedSecret, 0)) {
            throw new IllegalStateException("unreachable: remote static was checked");
        }
        s.mixKey(sharedSecret);
        ephemeral.destroy();

        byte[] key = new byte[Protocol.KEY_SIZE];
        s.mixKeyAndHash(presharedKey, key);
        s.encryptAndHash(key, new byte[0], msg, Response.EMPTY_OFFSET);

        byte[] receiveKey = new byte[Protocol.KEY_SIZE];
        byte[] sendKey = new byte[Protocol.KEY_SIZE];
        s.split(receiveKey, sendKey);
        Keypair keypair = new Keypair(sendKey, receiveKey, senderIndex, remoteIndex, false,
                nanoClock.getAsLong());
        zero(sharedSecret, key);
        clear();
        dst.put(msg);
        return keypair;
    }

    /**
     * Initiator: consumes the 92-byte response at {@code msg[position..limit)} (position unchanged).
     * Returns the session, or null, leaving state untouched, if it is malformed, not for our pending
     * initiation, or does not authenticate (wrong PSK, tampering).
     */
    public Keypair consumeResponse(ByteBuffer msg) {
        if (state != State.INITIATION_CREATED || msg.remaining() != Protocol.RESPONSE_SIZE
                || Messages.messageType(msg) != Protocol.MESSAGE_RESPONSE) {
            return null;
        }
        byte[] m = new byte[Protocol.RESPONSE_SIZE];
        msg.get(msg.position(), m);
        ByteBuffer view = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        if (view.getInt(Response.RECEIVER_OFFSET) != localIndex) {
            return null;
        }
        // Work on a copy so a forged response cannot disturb the pending handshake.
        SymmetricState s = new SymmetricState();
        s.copyFrom(symmetric);
        PublicKey ephemeral = PublicKey.fromBytes(m, Response.EPHEMERAL_OFFSET);
        s.mixHash(m, Response.EPHEMERAL_OFFSET, Protocol.KEY_SIZE);
        s.mixKey(ephemeral.bytes());

        byte[] sharedSecret = new byte[Protocol.KEY_SIZE];
        byte[] key = new byte[Protocol.KEY_SIZE];
        try {
            if (!localEphemeral.sharedSecret(ephemeral, sharedSecret, 0)) {
                return null;
            }
            s.mixKey(sharedSecret);
            if (!local.privateKey().sharedSecret(ephemeral, sharedSecret, 0)) {
                return null;
            }
            s.mixKey(sharedSecret);
            s.mixKeyAndHash(presharedKey, key);
            if (!s.decryptAndHash(key, m, Response.EMPTY_OFFSET, Response.EMPTY_SIZE, new byte[0])) {
                return null;
            }
            byte[] sendKey = new byte[Protocol.KEY_SIZE];
            byte[] receiveKey = new byte[Protocol.KEY_SIZE];
            s.split(sendKey, receiveKey);
            Keypair keypair = new Keypair(sendKey, receiveKey, localIndex, view.getInt(Response.SENDER_OFFSET),
                    true, nanoClock.getAsLong());
            clear();
            return keypair;
        } finally {
            zero(sharedSecret, key);
            s.clear();
        }
    }

    /**
     * Responder half of consuming an initiation, after {@link Handshakes} authenticated the sender as
     * this peer: decrypts the timestamp, applies the replay and flood checks, and commits only if
     * all pass. Returns null on success.
     */
    HandshakeFailure consumeInitiation(SymmetricState s, byte[] msg, int senderIndex, PublicKey ephemeral) {
        byte[] key = new byte[Protocol.KEY_SIZE];
        byte[] timestamp = new byte[Protocol.TIMESTAMP_SIZE];
        s.mixKey(staticStatic, key);
        boolean authentic = s.decryptAndHash(key, msg, Initiation.TIMESTAMP_OFFSET, Initiation.TIMESTAMP_SIZE,
                timestamp);
        zero(key);
        if (!authentic) {
            return HandshakeFailure.DECRYPT_TIMESTAMP;
        }
        if (!Tai64n.after(timestamp, lastTimestamp)) {
            return HandshakeFailure.REPLAYED_TIMESTAMP;
        }
        long nowNanos = nanoClock.getAsLong();
        if (initiationConsumedBefore && nowNanos - lastInitiationConsumedNanos <= INITIATION_MIN_INTERVAL_NANOS) {
            return HandshakeFailure.TOO_FREQUENT;
        }
        clear();
        symmetric = new SymmetricState();
        symmetric.copyFrom(s);
        remoteEphemeral = ephemeral;
        remoteIndex = senderIndex;
        System.arraycopy(timestamp, 0, lastTimestamp, 0, Protocol.TIMESTAMP_SIZE);
        lastInitiationConsumedNanos = nowNanos;
        initiationConsumedBefore = true;
        state = State.INITIATION_CONSUMED;
        return null;
    }

    /** Drops any handshake in progress and zeroes its secrets; keeps the replay/flood history. */
    public void clear() {
        if (symmetric != null) {
            symmetric.clear();
            symmetric = null;
        }
        if (localEphemeral != null) {
            localEphemeral.destroy();
            localEphemeral = null;
        }
        remoteEphemeral = null;
        state = State.ZEROED;
    }

    private static void requireRoom(ByteBuffer dst, int size) {
        if (dst.remaining() < size) {
            throw new IllegalArgumentException("dst has " + dst.remaining() + " bytes left, need " + size);
        }
    }

    private static void zero(byte[]... arrays) {
        for (byte[] a : arrays) {
            Arrays.fill(a, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "PeerHandshake[" + remoteStatic + ", " + state + "]";
    }
}
