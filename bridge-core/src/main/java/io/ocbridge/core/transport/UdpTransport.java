package io.ocbridge.core.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.ocbridge.core.log.Log;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One overlay's UDP socket on Netty's native epoll transport. Received datagrams go to a
 * {@link Receiver} on the channel's event loop; sends are queued and flushed once per burst.
 *
 * <p>Offloads, where the kernel has them: consecutive datagrams to one peer leave as one UDP GSO
 * send ({@link GsoBatch}), and the socket takes UDP GRO, so the kernel hands over a run of one
 * sender's datagrams in one read, which Netty slices back into datagrams (hence the 64 KiB receive
 * buffer: with GRO on, a smaller one silently truncates). If the kernel refuses a GSO send (an
 * underlay path MTU smaller than our datagrams, for one), GSO is switched off for good and the
 * socket falls back to one datagram per send.
 */
public final class UdpTransport implements AutoCloseable {
    /** Receives every datagram. Called on the event loop; consumes {@code content}. */
    @FunctionalInterface
    public interface Receiver {
        void onDatagram(ByteBuf content, InetSocketAddress sender);
    }

    /** Largest UDP payload; a peer may use a bigger MTU than ours, so never truncate. */
    private static final int MAX_DATAGRAM_BYTES = 65_536;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;
    /**
     * Datagrams per read burst (then a flush). Netty counts each datagram of a GRO read, and its
     * default of 16 would end the burst after one read, splitting runs the device writer could merge.
     */
    private static final int MAX_DATAGRAMS_PER_READ = 256;
    /** {@code setsockopt(SOL_SOCKET=1, SO_MARK=36)}: Netty names no option for it. Needs CAP_NET_ADMIN. */
    private static final ChannelOption<Integer> SO_MARK = new IntegerUnixChannelOption("SO_MARK", 1, 36);

    private final Channel channel;
    private final GsoBatch batch;
    private final Log log;
    private final ChannelFutureListener onGsoWrite = this::onGsoWrite;
    private final boolean gro;
    private volatile boolean gso;  // written on the event loop; status and metrics read it from their threads
    private volatile long fwmark;  // written on the event loop; status and the UAPI read it from their threads

    private UdpTransport(Channel channel, boolean offloads, Log log) {
        this.channel = channel;
        this.batch = new GsoBatch(channel.alloc());
        this.gso = offloads;
        this.gro = offloads;
        this.log = log;
    }

    /**
     * Binds {@code port} (0 = any) on {@code loop}: on the wildcard address (IPv4 and IPv6) when {@code address} is
     * null, else on {@code address}. An HA gateway binds the pair's virtual address, so every datagram it sends leaves
     * from that address; with {@code IP_FREEBIND}, so a standby binds it before keepalived moves it here.
     * {@code onReadComplete} runs after each burst of reads (flush point). {@code useOffloads}: GSO and GRO where the
     * kernel has them. {@code fwmark}: the mark every datagram carries (0: none), 32 bits unsigned; policy rules
     * tell the tunnel's own traffic by it.
     */
    public static UdpTransport bind(EventLoop loop, InetAddress address, int port, Receiver receiver,
            Runnable onReadComplete, boolean useOffloads, long fwmark, Log log) throws InterruptedException {
        boolean offloads = useOffloads && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES).maxMessagesPerRead(MAX_DATAGRAMS_PER_READ))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .option(EpollChannelOption.UDP_GRO, offloads)
                .option(EpollChannelOption.IP_FREEBIND, address != null)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        DatagramPacket packet = (DatagramPacket) msg;
                        receiver.onDatagram(packet.content(), packet.sender());
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        onReadComplete.run();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // ICMP errors (port unreachable) surface here; UDP carries on.
                    }
                });
        if (fwmark != 0) {  // setting it at all, even to 0, takes CAP_NET_ADMIN
            bootstrap.option(SO_MARK, (int) fwmark);
        }
        Channel channel = (address == null ? bootstrap.bind(port) : bootstrap.bind(address, port)).sync().channel();
        UdpTransport transport = new UdpTransport(channel, offloads, log);
        transport.fwmark = fwmark;
        // Netty logs an option it could not set and carries on; a socket without its mark would loop into the tunnel.
        if (fwmark != 0 && transport.readMark() != fwmark) {
            channel.close().syncUninterruptibly();
            throw new IllegalStateException("cannot set SO_MARK " + fwmark + " on the UDP socket (needs CAP_NET_ADMIN)");
        }
        return transport;
    }

    /** The mark the socket's datagrams carry (0: none). */
    public long fwmark() {
        return fwmark;
    }

    /**
     * Sets the socket's mark (0: none) while it runs, as {@code wg set DEV fwmark N} does. Event loop only; a refused
     * mark is an IllegalStateException and leaves the old one.
     */
    public void fwmark(long mark) {
        try {
            channel.config().setOption(SO_MARK, (int) mark);
        } catch (ChannelException e) {
            throw new IllegalStateException("cannot set SO_MARK " + mark + " on the UDP socket: " + e.getMessage(), e);
        }
        if (readMark() != mark) {
            throw new IllegalStateException("cannot set SO_MARK " + mark + " on the UDP socket (needs CAP_NET_ADMIN)");
        }
        fwmark = mark;
    }

    /** The mark as the kernel has it; -1 if it cannot be read. */
    private long readMark() {
        try {
            Integer mark = channel.config().getOption(SO_MARK);
            return mark == null ? -1 : Integer.toUnsignedLong(mark);
        } catch (ChannelException e) {
            return -1;
        }
    }

    public int localPort() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Whether sends are batched into UDP GSO sends (false from the first send the kernel refused). */
    public boolean gso() {
        return gso;
    }

    /** Whether the socket takes UDP GRO (runs of datagrams in one read). */
    public boolean gro() {
        return gro;
    }

    /** Queues a datagram; consumes {@code content}. False (and released) when the socket is backed up. */
    public boolean send(ByteBuf content, InetSocketAddress recipient) {
        if (!channel.isWritable()) {
            content.release();
            return false;
        }
        if (!gso) {
            channel.write(new DatagramPacket(content, recipient), channel.voidPromise());
            return true;
        }
        if (!batch.offer(content, recipient)) {
            writeBatch();
            batch.offer(content, recipient);  // an empty batch takes any datagram
        }
        return true;
    }

    public void flush() {
        if (!batch.isEmpty()) {
            writeBatch();
        }
        channel.flush();
    }

    private void writeBatch() {
        boolean segmented = batch.count() > 1;
        DatagramPacket packet = batch.take();
        channel.write(packet, segmented ? channel.newPromise().addListener(onGsoWrite) : channel.voidPromise());
    }

    /** A refused GSO send (EINVAL when a segment exceeds the path MTU, EIO without checksum offload) turns GSO off. */
    private void onGsoWrite(ChannelFuture future) {
        if (!future.isSuccess() && gso && channel.isOpen()) {
            gso = false;
            log.warn("udp-gso-disabled", "reason=" + future.cause().getMessage());
        }
    }

    @Override
    public void close() {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            batch.discard();
        } else if (!loop.isShuttingDown()) {
            loop.submit(batch::discard).awaitUninterruptibly(1_000);
        }
        channel.close().syncUninterruptibly();
    }
}
