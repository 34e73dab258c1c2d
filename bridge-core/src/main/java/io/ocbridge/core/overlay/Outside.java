package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.peer.IndexTable;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.noise.HandshakeFailure;
import io.ocbridge.crypto.noise.Handshakes;
import io.ocbridge.crypto.noise.InitiationResult;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.wire.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Network to device. Every datagram that reaches the overlay's UDP port lands here; nothing in it
 * is trusted until it authenticates. Handshake messages drive the Noise state machine; transport
 * messages are decrypted in place, checked against the replay window and the sending peer's
 * allowed-ips, and written to the TUN device.
 *
 * <pre>
 *   UDP recv ─▶ onDatagram ─▶ type 1/2 ─▶ MAC1 (+MAC2, per-source rate under load) ─▶ Noise ─▶ response / session
 *                          ├▶ type 3 ─▶ cookie for our pending handshake
 *                          └▶ type 4 ─▶ index ─▶ open in place ─▶ replay ─▶ src in allowed-ips ─▶ TUN write
 * </pre>
 * Bad input never throws: it is dropped and counted ({@link DropReason}).
 */
public final class Outside {
    private final Overlay overlay;

    Outside(Overlay overlay) {
        this.overlay = overlay;
    }

    /**
     * Handles one datagram from {@code source}. Consumes {@code datagram}: it is released here, once, whatever happens
     * below (the handlers only borrow it; what goes on to the device is a copy), so an exception can never release it
     * twice or leave it behind.
     */
    public void onDatagram(ByteBuf datagram, InetSocketAddress source) {
        try {
            if (overlay.admits(null)) {  // a standby answers nobody: peers dial the active gateway
                dispatch(datagram, source);
            }
        } catch (RuntimeException e) {
            overlay.drops().increment(DropReason.INTERNAL_ERROR);
            overlay.log().error("internal-error", "where=outside error=" + e);
        } finally {
            datagram.release();
        }
    }

    /** Borrows {@code datagram}. */
    private void dispatch(ByteBuf datagram, InetSocketAddress source) {
        int length = datagram.readableBytes();
        if (length < 4) {
            overlay.drop(null, DropReason.MALFORMED);
            return;
        }
        // The type is one byte followed by three reserved zero bytes: read all four at once.
        int type = datagram.getIntLE(datagram.readerIndex());
        switch (type) {
            case Protocol.MESSAGE_TRANSPORT -> onTransport(datagram, source);
            case Protocol.MESSAGE_INITIATION -> onInitiation(datagram, source);
            case Protocol.MESSAGE_RESPONSE -> onResponse(datagram, source);
            case Protocol.MESSAGE_COOKIE_REPLY -> onCookieReply(datagram);
            default -> overlay.drop(null, DropReason.MALFORMED);
        }
    }

    private void onInitiation(ByteBuf datagram, InetSocketAddress source) {
        if (datagram.readableBytes() != Protocol.INITIATION_SIZE) {
            overlay.drop(null, DropReason.MALFORMED);
            return;
        }
        ByteBuffer message = datagram.nioBuffer();
        if (!passesCookieChecks(message, datagram, source, Protocol.INITIATION_SIZE)) {
            return;
        }
        overlay.handshakes().increment(HandshakeCounters.Event.INITIATION_RECEIVED);
        InitiationResult result = Handshakes.consumeInitiation(overlay.identity(), message.duplicate(),
                key -> {
                    Peer p = overlay.peerByKey(key);
                    return p == null ? null : p.handshake();
                });
        if (result.peer() == null) {
            overlay.drops().increment(DropReason.HANDSHAKE_FAILED);
            overlay.handshakes().increment(HandshakeCounters.Event.FAILED);
            if (result.failure() == HandshakeFailure.REPLAYED_TIMESTAMP) {
                overlay.handshakes().increment(HandshakeCounters.Event.REPLAYED_TIMESTAMP);
            } else if (result.failure() == HandshakeFailure.TOO_FREQUENT) {
                overlay.handshakes().increment(HandshakeCounters.Event.INITIATION_TOO_FREQUENT);
            }
            overlay.logHandshakeFailure(Protocol.MESSAGE_INITIATION, "message=initiation endpoint=" + Log.endpoint(source)
                    + " reason=" + result.failure().name().toLowerCase().replace('_', '-'));
            return;
        }
        Peer peer = overlay.peerByKey(result.peer().remoteStatic());
        long now = overlay.now();
        overlay.noteHandshake(peer, source, now);
        peer.updateEndpoint(source);
        peer.timers().anyAuthenticatedReceived(now);
        peer.timers().anyAuthenticatedTraversal(now);

        // Consuming their initiation replaced our own handshake state (both sides initiated at
        // once): retire the index of our initiation, so its late response is an unknown index,
        // not a failed handshake. The session comes from this exchange instead.
        boolean crossed = peer.pendingInitiationIndex() != 0 && peer.initiationRecentlySent(now);
        if (peer.pendingInitiationIndex() != 0) {
            overlay.indexTable().remove(peer.pendingInitiationIndex());
            peer.pendingInitiationIndex(0);
        }
        int index = overlay.indexTable().allocate(peer);
        ByteBuf response = overlay.io().alloc().directBuffer(Protocol.RESPONSE_SIZE);
        ByteBuffer view = response.nioBuffer(0, Protocol.RESPONSE_SIZE);
        Keypair keypair = peer.handshake().createResponse(index, view.duplicate());
        peer.cookieGenerator().addMacs(view);
        response.writerIndex(Protocol.RESPONSE_SIZE);
        overlay.indexTable().attach(index, keypair);
        overlay.retire(peer.keypairs().install(keypair));
        peer.timers().sessionDerived(now);
        peer.timers().anyAuthenticatedSent(now);
        overlay.log().debug("handshake-response-sent", "peer=" + peer.name() + " endpoint=" + Log.endpoint(source));
        overlay.handshakes().increment(HandshakeCounters.Event.RESPONSE_SENT);
        if (!overlay.io().send(response, source)) {
            overlay.drops().increment(DropReason.WRITE_FAILED);
        }
        if (crossed) {
            overlay.settleCrossedInitiations(peer);
        }
    }

    private void onResponse(ByteBuf datagram, InetSocketAddress source) {
        if (datagram.readableBytes() != Protocol.RESPONSE_SIZE) {
            overlay.drop(null, DropReason.MALFORMED);
            return;
        }
        ByteBuffer message = datagram.nioBuffer();
        if (!passesCookieChecks(message, datagram, source, Protocol.RESPONSE_SIZE)) {
            return;
        }
        int receiverIndex = datagram.getIntLE(datagram.readerIndex() + 8);
        IndexTable.Entry entry = overlay.indexTable().lookup(receiverIndex);
        if (entry == null || entry.keypair() != null || entry.peer().pendingInitiationIndex() != receiverIndex) {
            overlay.drop(null, DropReason.UNKNOWN_INDEX);
            return;
        }
        Peer peer = entry.peer();
        overlay.handshakes().increment(HandshakeCounters.Event.RESPONSE_RECEIVED);
        Keypair keypair = peer.handshake().consumeResponse(message.duplicate());
        if (keypair == null) {
            overlay.drops().increment(DropReason.HANDSHAKE_FAILED);
            overlay.handshakes().increment(HandshakeCounters.Event.FAILED);
            overlay.logHandshakeFailure(Protocol.MESSAGE_RESPONSE, "message=response peer=" + peer.name()
                    + " endpoint=" + Log.endpoint(source) + " reason=does-not-authenticate hint=check-keys-and-preshared-key");
            return;
        }
        long now = overlay.now();
        overlay.noteHandshake(peer, source, now);
        peer.pendingInitiationIndex(0);
        overlay.indexTable().attach(receiverIndex, keypair);
        overlay.retire(peer.keypairs().install(keypair));
        peer.updateEndpoint(source);
        peer.timers().sessionDerived(now);
        peer.timers().anyAuthenticatedReceived(now);
        peer.timers().anyAuthenticatedTraversal(now);
        overlay.sessionConfirmed(peer, now);
        // The responder holds its keys in "next" until our first packet proves we have them.
        if (!overlay.sendStaged(peer)) {
            overlay.sendKeepalive(peer);
        }
    }

    private void onCookieReply(ByteBuf datagram) {
        if (datagram.readableBytes() != Protocol.COOKIE_REPLY_SIZE) {
            overlay.drop(null, DropReason.MALFORMED);
            return;
        }
        int receiverIndex = datagram.getIntLE(datagram.readerIndex() + 4);
        IndexTable.Entry entry = overlay.indexTable().lookup(receiverIndex);
        if (entry == null) {
            overlay.drop(null, DropReason.UNKNOWN_INDEX);
            return;
        }
        boolean accepted = entry.peer().cookieGenerator().consumeReply(datagram.nioBuffer());
        if (!accepted) {
            overlay.drop(null, DropReason.BAD_COOKIE_REPLY);
            return;
        }
        overlay.handshakes().increment(HandshakeCounters.Event.COOKIE_REPLY_RECEIVED);
        overlay.log().debug("cookie-received", "peer=" + entry.peer().name());
        if (entry.keypair() == null && entry.peer().pendingInitiationIndex() == receiverIndex) {
            overlay.retryWithCookie(entry.peer());
        }
    }

    /**
     * MAC1 always; under load also MAC2, answering a cookie reply when it is missing, and the
     * per-source rate limit. Drops the datagram and returns false when the message may not proceed.
     */
    private boolean passesCookieChecks(ByteBuffer message, ByteBuf datagram, InetSocketAddress source, int size) {
        if (!overlay.cookieChecker().checkMac1(message.duplicate())) {
            overlay.drop(null, DropReason.BAD_MAC1);
            return false;
        }
        if (!overlay.countHandshakeMessageUnderLoad()) {
            return true;
        }
        byte[] sourceBytes = sourceBytes(source);
        if (overlay.cookieChecker().checkMac2(message.duplicate(), sourceBytes)) {
            // MAC2 proves the source can receive at its address; it still gets only its share.
            if (overlay.rateLimiter().allow(sourceBytes, sourceBytes.length - 2)) {
                return true;
            }
            overlay.drop(null, DropReason.RATE_LIMITED);
            return false;
        }
        int senderIndex = datagram.getIntLE(datagram.readerIndex() + 4);
        ByteBuf reply = overlay.io().alloc().directBuffer(Protocol.COOKIE_REPLY_SIZE);
        ByteBuffer view = reply.nioBuffer(0, Protocol.COOKIE_REPLY_SIZE);
        overlay.cookieChecker().createReply(message.duplicate(), senderIndex, sourceBytes, view);
        reply.writerIndex(Protocol.COOKIE_REPLY_SIZE);
        overlay.drop(null, DropReason.COOKIE_REQUIRED);
        overlay.handshakes().increment(HandshakeCounters.Event.COOKIE_REPLY_SENT);
        if (!overlay.io().send(reply, source)) {
            overlay.drops().increment(DropReason.WRITE_FAILED);
        }
        return false;
    }

    /** The initiator's address as WireGuard binds cookies to it: IP bytes then the port. */
    private static byte[] sourceBytes(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] out = new byte[ip.length + 2];
        System.arraycopy(ip, 0, out, 0, ip.length);
        out[ip.length] = (byte) source.getPort();
        out[ip.length + 1] = (byte) (source.getPort() >>> 8);
        return out;
    }

    private void onTransport(ByteBuf datagram, InetSocketAddress source) {
        int length = datagram.readableBytes();
        if (length < Protocol.TRANSPORT_HEADER_SIZE + Protocol.TAG_SIZE) {
            overlay.drop(null, DropReason.MALFORMED);
            return;
        }
        int at = datagram.readerIndex();
        int receiverIndex = datagram.getIntLE(at + Transport.RECEIVER_OFFSET);
        long counter = datagram.getLongLE(at + Transport.COUNTER_OFFSET);
        IndexTable.Entry entry = overlay.indexTable().lookup(receiverIndex);
        if (entry == null || entry.keypair() == null) {
            overlay.drop(null, DropReason.UNKNOWN_INDEX);
            return;
        }
        Keypair keypair = entry.keypair();
        Peer peer = entry.peer();
        long now = overlay.now();
        if (now - keypair.createdNanos() >= Protocol.REJECT_AFTER_TIME_NANOS
                || Long.compareUnsigned(counter, Protocol.REJECT_AFTER_MESSAGES) >= 0) {
            overlay.drop(null, DropReason.KEYPAIR_EXPIRED);
            return;
        }
        int data = at + Protocol.TRANSPORT_HEADER_SIZE;
        int sealedLength = length - Protocol.TRANSPORT_HEADER_SIZE;
        int plainLength = sealedLength - Protocol.TAG_SIZE;
        byte[] work = overlay.cryptoScratch(sealedLength);
        ByteBufViews.getBytes(datagram, data, work, 0, sealedLength);
        if (!keypair.openInPlace(counter, work, sealedLength)) {
            overlay.drop(null, DropReason.DECRYPT_FAILED);
            return;
        }
        if (!keypair.acceptCounter(counter)) {
            overlay.drop(null, DropReason.REPLAY);
            return;
        }
        // Out of the scratch array now: sending staged packets below seals them in the same array.
        ByteBuf packet = plainLength == 0 ? null : plaintext(work, plainLength);
        // Authenticated from here on.
        try {
            peer.updateEndpoint(source);
            peer.timers().anyAuthenticatedReceived(now);
            peer.timers().anyAuthenticatedTraversal(now);
            if (keypair == peer.keypairs().next()) {
                overlay.retire(peer.keypairs().promoteNext());
                overlay.sessionConfirmed(peer, now);
                overlay.sendStaged(peer);
            }
            peer.addRx(length);
            if (keypair.isInitiator() && keypair == peer.keypairs().current()
                    && now - keypair.createdNanos() >= Protocol.REJECT_AFTER_TIME_NANOS
                            - Protocol.KEEPALIVE_TIMEOUT_NANOS - Protocol.REKEY_TIMEOUT_NANOS) {
                overlay.initiateHandshake(peer, false);
            }
            if (packet != null) {
                peer.timers().dataReceived(now);
            }
        } catch (RuntimeException e) {
            if (packet != null) {
                packet.release();
            }
            throw e;
        }
        if (packet != null) {
            deliver(packet, packet.readerIndex(), plainLength, peer);  // consumes it
        }
    }

    /**
     * The opened packet in a buffer of its own, with room to be sealed again if it is relayed. Not back
     * into the datagram: that is a slice of the socket's 64 KiB receive buffer (UDP GRO), and Netty lends
     * a slice's memory only through a fresh NIO view per access (about 130 bytes, several times per
     * packet on the way to the device), while a buffer of its own is read through its cached view, and
     * the receive buffer goes back to the pool as soon as its last datagram is opened.
     */
    private ByteBuf plaintext(byte[] work, int plainLength) {
        ByteBuf packet = overlay.io().alloc().directBuffer(PacketLayout.capacityFor(plainLength));
        packet.setIndex(PacketLayout.HEADROOM, PacketLayout.HEADROOM);
        return packet.writeBytes(work, 0, plainLength);
    }

    /** Checks the inner packet's source against the peer's allowed-ips and writes it to the device. */
    private void deliver(ByteBuf packet, int at, int available, Peer peer) {
        DropReason refused;
        try {
            refused = check(packet, at, available, peer);
        } catch (RuntimeException e) {
            packet.release();  // still ours: nothing downstream has seen it
            throw e;
        }
        if (refused != null) {
            overlay.drop(packet, refused);
            return;
        }
        // From here on the packet belongs to its consumer, which releases it even when it fails.
        if (Ip.version(packet, at) == Ipv4Header.VERSION && overlay.hasSegments()
                && packet.getInt(at + Ipv4Header.DST_OFFSET) == overlay.localVtep()
                && packet.getUnsignedByte(at + Ipv4Header.PROTOCOL_OFFSET) == Ip.PROTOCOL_UDP) {
            deliverToSegment(packet, peer);
            return;
        }
        writeToDevice(packet);
    }

    /**
     * Why the opened packet at {@code at} may not be delivered (not IP, or a source outside the peer's allowed-ips), or
     * null when it may; then the packet's indexes frame exactly the IP packet. Borrows {@code packet}.
     */
    private DropReason check(ByteBuf packet, int at, int available, Peer peer) {
        int version = Ip.version(packet, at);
        int packetLength;
        Peer owner;
        if (version == Ipv4Header.VERSION && available >= Ipv4Header.HEADER_BYTES) {
            packetLength = packet.getUnsignedShort(at + Ipv4Header.TOTAL_LENGTH_OFFSET);
            if (packetLength < Ipv4Header.HEADER_BYTES || packetLength > available) {
                return DropReason.NOT_IP;
            }
            owner = overlay.allowedIps().lookupV4(packet.getInt(at + Ipv4Header.SRC_OFFSET));
        } else if (version == Ipv6Header.VERSION && available >= Ipv6Header.HEADER_BYTES) {
            packetLength = Ipv6Header.HEADER_BYTES + packet.getUnsignedShort(at + Ipv6Header.PAYLOAD_LENGTH_OFFSET);
            if (packetLength > available) {
                return DropReason.NOT_IP;
            }
            int src = at + Ipv6Header.SRC_OFFSET;
            owner = overlay.allowedIps().lookupV6(packet.getLong(src), packet.getLong(src + Long.BYTES));
        } else {
            return DropReason.NOT_IP;
        }
        if (owner != peer) {
            return DropReason.SOURCE_NOT_ALLOWED;
        }
        packet.setIndex(at, at + packetLength);
        return null;
    }

    /** Writes one IP packet to the TUN device. Consumes {@code packet}, also when the device throws. */
    private void writeToDevice(ByteBuf packet) {
        boolean written;
        try {
            written = overlay.io().writeToDevice(packet);
        } finally {
            packet.release();
        }
        if (!written) {
            overlay.drops().increment(DropReason.WRITE_FAILED);
        }
    }

    /**
     * A UDP packet (or fragment) to our VXLAN endpoint from {@code peer}, whose source address
     * already passed the allowed-ips check: reassembled, then handed to the segment of its VNI.
     * Other UDP to our overlay address goes to the device as usual. Consumes {@code packet}.
     */
    private void deliverToSegment(ByteBuf packet, Peer peer) {
        ByteBuf whole = overlay.reassembler().offer(packet);
        if (whole == null) {
            return;  // a fragment, held (or discarded and counted) by the reassembler
        }
        int vni = Vxlan.vni(whole);
        if (vni < 0) {
            writeToDevice(whole);
            return;
        }
        Segment segment = overlay.segment(vni);
        if (segment == null) {
            overlay.drop(whole, DropReason.UNKNOWN_VNI);
            return;
        }
        segment.onRemoteFrame(peer, whole, Vxlan.frameOffset(whole, whole.readerIndex()));
    }
}
