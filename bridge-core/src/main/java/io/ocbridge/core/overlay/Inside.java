package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.AllowedIps;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.wire.Transport;
import java.net.InetSocketAddress;

/**
 * Device to network. A packet read from the TUN device is routed by its destination address
 * (allowed-ips, longest prefix), padded, encrypted in place under the peer's current session and
 * sent to the peer's endpoint; without a session it waits while a handshake starts.
 *
 * <pre>
 *   TUN read ─▶ onDevicePacket ─▶ allowed-ips lookup(dst) ─▶ peer
 *        ─▶ session usable? ── no ─▶ stage + initiate handshake
 *                          └─ yes ─▶ pad, header, seal in place ─▶ UDP send
 * </pre>
 */
public final class Inside {
    /** The sessions' send side (staged packets, usable keys), the HA role and the shared crypto scratch. */
    private final Overlay overlay;
    private final AllowedIps<Peer> allowedIps;
    private final Handshaker handshaker;
    private final OverlayIo io;
    private final DropCounters drops;
    private final Log log;

    Inside(Overlay overlay, AllowedIps<Peer> allowedIps, Handshaker handshaker, OverlayIo io, DropCounters drops,
            Log log) {
        this.overlay = overlay;
        this.allowedIps = allowedIps;
        this.handshaker = handshaker;
        this.io = io;
        this.drops = drops;
        this.log = log;
    }

    /**
     * Routes and sends one IP packet read from the device. Consumes {@code packet}; it must have
     * {@link PacketLayout#HEADROOM} bytes before its readerIndex (it may grow at the tail).
     */
    public void onDevicePacket(ByteBuf packet) {
        if (!overlay.admits(packet)) {
            return;
        }
        Peer peer;
        try {
            peer = route(packet);
        } catch (RuntimeException e) {
            packet.release();  // still ours: route() releases only what it drops, and then returns
            internalError(e);
            return;
        }
        if (peer != null) {
            sendToPeer(peer, packet);
        }
    }

    private void internalError(RuntimeException e) {
        drops.increment(DropReason.INTERNAL_ERROR);
        log.error("internal-error", "where=inside error=" + e);
    }

    /**
     * Sends one IP packet to {@code peer}: at once under a usable session, else staged while a
     * handshake starts. Consumes {@code packet} (same room rules as {@link #onDevicePacket}).
     */
    public void sendToPeer(Peer peer, ByteBuf packet) {
        if (!overlay.admits(packet)) {
            return;
        }
        boolean staging;
        try {
            staging = peer.stagedCount() > 0 || !overlay.usableForSending(peer.keypairs().current(), overlay.now());
        } catch (RuntimeException e) {
            packet.release();
            internalError(e);
            return;
        }
        try {
            if (staging) {
                if (!peer.stage(packet)) {  // consumes it either way
                    overlay.drop(null, DropReason.STAGED_OVERFLOW);
                }
                if (!overlay.sendStaged(peer)) {
                    handshaker.initiate(peer, false);
                }
                return;
            }
            encryptAndSend(peer, packet);  // consumes it, also when it fails
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    /** Finds the peer for the packet's destination, or drops the packet (and returns null). */
    private Peer route(ByteBuf packet) {
        int at = packet.readerIndex();
        int length = packet.readableBytes();
        if (length < 1) {
            overlay.drop(packet, DropReason.NOT_IP);
            return null;
        }
        int version = Ip.version(packet, at);
        Peer peer;
        if (version == Ipv4Header.VERSION && length >= Ipv4Header.HEADER_BYTES) {
            peer = allowedIps.lookupV4(packet.getInt(at + Ipv4Header.DST_OFFSET));
        } else if (version == Ipv6Header.VERSION && length >= Ipv6Header.HEADER_BYTES) {
            int dst = at + Ipv6Header.DST_OFFSET;
            peer = allowedIps.lookupV6(packet.getLong(dst), packet.getLong(dst + Long.BYTES));
        } else {
            overlay.drop(packet, DropReason.NOT_IP);
            return null;
        }
        if (peer == null) {
            overlay.drop(packet, DropReason.NO_ROUTE);
        }
        return peer;
    }

    /**
     * Encrypts {@code packet} under the peer's current session and sends it. Consumes the packet, also when something
     * throws: {@code owned} is the one buffer this method still has to release, null once it went to the stage, the
     * socket or a drop. If the session is exhausted the packet is staged and a handshake started.
     */
    void encryptAndSend(Peer peer, ByteBuf packet) {
        ByteBuf owned = packet;
        try {
            long now = overlay.now();
            Keypair keypair = peer.keypairs().current();
            InetSocketAddress endpoint = peer.endpoint();
            if (endpoint == null) {
                owned = null;
                overlay.drop(packet, DropReason.NO_ENDPOINT);
                return;
            }
            long counter = keypair == null ? -1 : keypair.nextSendCounter();
            if (counter == -1 || !overlay.usableForSending(keypair, now)) {  // -1: REJECT_AFTER_MESSAGES reached
                owned = null;
                if (!peer.stage(packet)) {
                    overlay.drop(null, DropReason.STAGED_OVERFLOW);
                }
                handshaker.initiate(peer, false);
                return;
            }
            int payloadLength = packet.readableBytes();
            owned = null;  // withHeadroom either returns the packet or releases it for a copy
            ByteBuf message = withHeadroom(packet);
            owned = message;
            seal(message, keypair, counter, payloadLength);
            int wireBytes = message.readableBytes();
            owned = null;
            if (!io.send(message, endpoint)) {
                drops.increment(DropReason.WRITE_FAILED);
                return;
            }
            sent(peer, keypair, counter, payloadLength, wireBytes, now);
        } catch (RuntimeException e) {
            if (owned != null) {
                owned.release();
            }
            throw e;
        }
    }

    /** Pads the payload of {@code message}, writes the transport header in front of it and seals it in place. */
    private void seal(ByteBuf message, Keypair keypair, long counter, int payloadLength) {
        int at = message.readerIndex();
        int padded = PacketLayout.paddedLength(payloadLength, overlay.mtuBytes());
        message.ensureWritable(padded - payloadLength + Protocol.TAG_SIZE);
        message.writeZero(padded - payloadLength);

        int header = at - Protocol.TRANSPORT_HEADER_SIZE;
        message.setIntLE(header + Transport.TYPE_OFFSET, Protocol.MESSAGE_TRANSPORT);
        message.setIntLE(header + Transport.RECEIVER_OFFSET, keypair.remoteIndex());
        message.setLongLE(header + Transport.COUNTER_OFFSET, counter);
        // The JDK's AEAD works on arrays: one copy in, seal in place, one copy out; no buffer views.
        byte[] work = overlay.cryptoScratch(padded + Protocol.TAG_SIZE);
        ByteBufViews.getBytes(message, at, work, 0, padded);
        int sealed = keypair.sealInPlace(counter, work, padded);
        message.setBytes(at, work, 0, sealed);
        message.setIndex(header, at + padded + Protocol.TAG_SIZE);
    }

    /** A transport message went out: counters, timers, and a rekey when the session is due for one. */
    private void sent(Peer peer, Keypair keypair, long counter, int payloadLength, int wireBytes, long now) {
        peer.addTx(wireBytes);
        peer.timers().anyAuthenticatedSent(now);
        peer.timers().anyAuthenticatedTraversal(now);
        if (payloadLength > 0) {
            peer.timers().dataSent(now);
        }
        // Rekey on message count in either role; on age only as initiator (whitepaper §6.2), so
        // two peers do not both start a handshake at REKEY_AFTER_TIME.
        if (Long.compareUnsigned(counter, Protocol.REKEY_AFTER_MESSAGES) >= 0
                || (keypair.isInitiator() && now - keypair.createdNanos() >= Protocol.REKEY_AFTER_TIME_NANOS)) {
            handshaker.initiate(peer, false);
        }
    }

    /**
     * Returns a buffer holding the packet with header room in front (the same one when it has room). Consumes {@code
     * packet}, also when it throws.
     */
    private ByteBuf withHeadroom(ByteBuf packet) {
        if (packet.readerIndex() >= Protocol.TRANSPORT_HEADER_SIZE) {
            return packet;
        }
        int length = packet.readableBytes();
        ByteBuf copy = null;
        try {
            copy = io.alloc().directBuffer(PacketLayout.capacityFor(length));
            copy.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM);
            ByteBufViews.append(copy, packet, packet.readerIndex(), length);
            return copy;
        } catch (RuntimeException e) {
            if (copy != null) {
                copy.release();
            }
            throw e;
        } finally {
            packet.release();  // copied, or lost with the exception: consumed either way
        }
    }
}
