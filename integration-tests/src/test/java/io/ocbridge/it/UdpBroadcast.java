package io.ocbridge.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded broadcast storm and its counter, each run as its own small JVM inside a namespace (like {@link TcpSource}).
 * {@code send} paces tagged UDP datagrams to a broadcast address (every one an Ethernet broadcast frame) and stops at
 * whichever comes first, the time or the count; {@code count} counts the tagged datagrams that reach a port.
 * <p>Usage: {@code UdpBroadcast send <broadcastAddress> <port> <seconds> <maxDatagrams> <datagramsPerSecond>}
 * prints {@code SENT datagrams=<n> nanos=<first to last>};
 * {@code UdpBroadcast count <port> <seconds>} prints {@code READY}, then {@code COUNTED datagrams=<n>}.
 */
public final class UdpBroadcast {
    /** First 8 bytes of every storm datagram, so the counter ignores anything else on the port. */
    static final long MAGIC = 0x0cb_5702_7eb0_0001L;
    static final int PAYLOAD_BYTES = 64;
    private static final long TICK_NANOS = 200_000;
    private static final int RECEIVE_POLL_MILLIS = 200;

    private UdpBroadcast() {}

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "send" -> send(InetAddress.getByName(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]),
                    Long.parseLong(args[4]), Long.parseLong(args[5]));
            case "count" -> count(Integer.parseInt(args[1]), Long.parseLong(args[2]));
            default -> throw new IllegalArgumentException("send|count: " + args[0]);
        }
    }

    /** The argv that runs this class with {@code args} on this JVM's JDK, for {@link Lab#start}. */
    static List<String> argv(String... args) {
        var argv = new ArrayList<String>(List.of(TestHost.javaBinary(), "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", TestHost.testClasspath(), UdpBroadcast.class.getName()));
        argv.addAll(List.of(args));
        return argv;
    }

    private static void send(InetAddress broadcast, int port, long seconds, long maxDatagrams, long perSecond)
            throws IOException {
        byte[] payload = new byte[PAYLOAD_BYTES];
        var buffer = ByteBuffer.wrap(payload).putLong(MAGIC);
        var packet = new DatagramPacket(payload, payload.length, new InetSocketAddress(broadcast, port));
        long sent = 0;
        long startNs = System.nanoTime();
        long deadlineNs = startNs + seconds * 1_000_000_000L;
        try (var socket = new DatagramSocket()) {
            socket.setBroadcast(true);
            long nowNs = startNs;
            while (sent < maxDatagrams && deadlineNs - nowNs > 0) {
                long dueNow = Math.min(maxDatagrams, (nowNs - startNs) * perSecond / 1_000_000_000L + 1);
                while (sent < dueNow) {
                    buffer.putLong(8, sent);
                    socket.send(packet);
                    sent++;
                }
                LockSupport.parkNanos(TICK_NANOS);
                nowNs = System.nanoTime();
            }
        }
        System.out.println("SENT datagrams=" + sent + " nanos=" + (System.nanoTime() - startNs));
    }

    private static void count(int port, long seconds) throws IOException {
        byte[] buf = new byte[2048];
        var packet = new DatagramPacket(buf, buf.length);
        long counted = 0;
        long deadlineNs = System.nanoTime() + seconds * 1_000_000_000L;
        try (var socket = new DatagramSocket(null)) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));   // wildcard: receives the subnet's broadcasts
            socket.setSoTimeout(RECEIVE_POLL_MILLIS);
            System.out.println("READY");
            System.out.flush();
            while (deadlineNs - System.nanoTime() > 0) {
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (packet.getLength() >= 8 && ByteBuffer.wrap(buf).getLong(0) == MAGIC) {
                    counted++;
                }
                packet.setLength(buf.length);
            }
        }
        System.out.println("COUNTED datagrams=" + counted);
    }
}
