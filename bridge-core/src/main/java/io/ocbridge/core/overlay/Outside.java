package io.ocbridge.core.overlay;

import io.netty.buffer.ByteBuf;
import io.ocbridge.core.buffer.ByteBufViews;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.packet.Ip;
import io.ocbridge.core.packet.Ipv4Header;
import io.ocbridge.core.packet.Ipv6Header;
import io.ocbridge.core.peer.IndexTable;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.noise.Keypair;
import io.ocbridge.crypto.wire.Transport;
import java.net.InetSocketAddress;

/**
 * Network to device. Every datagram that reaches the overlay's UDP port lands here; nothing in it
 * is trusted until it authenticates. Handshake messages go to the {@link Handshaker}'s queue, apart from data;
 * transport messages are decrypted, checked against the replay window and the sending peer's allowed-ips, and
 * written to the TUN device (or, VXLAN to our endpoint, to its segment).
 *
 * <pre>
 *   UDP recv ─▶ onDatagram ─▶ type 1/2/3 ─▶ Handshaker.offer (size, MAC1, bounded fair queue)
 *                          └▶ type 4 ─▶ index ─▶ open ─▶ replay ─▶ src in allowed-ips ─▶ TUN write / segment
 * </pre>
 * Bad input never throws: it is dropped and counted ({@link DropReason}).
 */
public final class Outside {
    /** The sessions' send side (staged packets), the HA role and the shared crypto scratch. */
    private final Overlay overlay;
    private final PeerRegistry registry;
    private final Handshaker handshaker;
    private final VxlanEndpoint vxlan;
    private final OverlayIo io;
    private final DropCounters drops;
    private final Log log;

    Outside(Overlay overlay, PeerRegistry registry, Handshaker handshaker, VxlanEndpoint vxlan, OverlayIo io,
            DropCounters drops, Log log) {
        this.overlay = overlay;
        this.registry = registry;
        this.handshaker = handshaker;
        this.vxlan = vxlan;
        this.io = io;
        this.drops = drops;
        this.log = log;
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
            drops.increment(DropReason.INTERNAL_ERROR);
            log.error("internal-error", "where=outside error=" + e);
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
            case Protocol.MESSAGE_INITIATION, Protocol.MESSAGE_RESPONSE, Protocol.MESSAGE_COOKIE_REPLY ->
                    handshaker.offer(type, datagram, source);
            default -> overlay.drop(null, DropReason.MALFORMED);
        }
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
        IndexTable.Entry entry = registry.indexTable().lookup(receiverIndex);
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
                registry.retire(peer.keypairs().promoteNext());
                handshaker.sessionConfirmed(peer, now);
                overlay.sendStaged(peer);
            }
            peer.addRx(length);
            if (keypair.isInitiator() && keypair == peer.keypairs().current()
                    && now - keypair.createdNanos() >= Protocol.REJECT_AFTER_TIME_NANOS
                            - Protocol.KEEPALIVE_TIMEOUT_NANOS - Protocol.REKEY_TIMEOUT_NANOS) {
                handshaker.initiate(peer, false);
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
        ByteBuf packet = io.alloc().directBuffer(PacketLayout.capacityFor(plainLength));
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
        if (vxlan.claims(packet, at)) {
            packet = vxlan.deliver(packet, peer);
            if (packet == null) {
                return;
            }
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
            owner = registry.allowedIps().lookupV4(packet.getInt(at + Ipv4Header.SRC_OFFSET));
        } else if (version == Ipv6Header.VERSION && available >= Ipv6Header.HEADER_BYTES) {
            packetLength = Ipv6Header.HEADER_BYTES + packet.getUnsignedShort(at + Ipv6Header.PAYLOAD_LENGTH_OFFSET);
            if (packetLength > available) {
                return DropReason.NOT_IP;
            }
            int src = at + Ipv6Header.SRC_OFFSET;
            owner = registry.allowedIps().lookupV6(packet.getLong(src), packet.getLong(src + Long.BYTES));
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
            written = io.writeToDevice(packet);
        } finally {
            packet.release();
        }
        if (!written) {
            drops.increment(DropReason.WRITE_FAILED);
        }
    }
}
