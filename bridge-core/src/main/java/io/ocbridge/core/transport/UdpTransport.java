package io.ocbridge.core.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * One overlay's UDP socket on Netty's native epoll transport. Received datagrams go to a
 * {@link Receiver} on the channel's event loop; sends are queued and flushed once per burst.
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

    private final Channel channel;

    private UdpTransport(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds the wildcard address (IPv4 and IPv6) on {@code port} (0 = any) on {@code loop}.
     * {@code onReadComplete} runs after each burst of reads (flush point).
     */
    public static UdpTransport bind(EventLoop loop, int port, Receiver receiver, Runnable onReadComplete)
            throws InterruptedException {
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
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
        Channel channel = bootstrap.bind(port).sync().channel();
        return new UdpTransport(channel);
    }

    public int localPort() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Queues a datagram; consumes {@code content}. False (and released) when the socket is backed up. */
    public boolean send(ByteBuf content, InetSocketAddress recipient) {
        if (!channel.isWritable()) {
            content.release();
            return false;
        }
        channel.write(new DatagramPacket(content, recipient), channel.voidPromise());
        return true;
    }

    public void flush() {
        channel.flush();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
