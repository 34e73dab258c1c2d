package io.ocbridge.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sending end of a bulk TCP transfer, run as its own JVM inside a namespace ({@link Transfer}):
 * connects, sends a file with {@code transferTo} (sendfile), half-closes, waits for the sink to close,
 * prints {@code SENT bytes=<n> nanos=<connect to sink's close>}. Bounded by the caller's process timeout.
 * <p>Usage: {@code TcpSource <host> <port> <file> <connectTimeoutMillis>}
 */
public final class TcpSource {
    private TcpSource() {}

    public static void main(String[] args) throws IOException {
        var target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        Path file = Path.of(args[2]);
        int connectTimeoutMillis = Integer.parseInt(args[3]);
        try (var ch = SocketChannel.open(); var in = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.socket().connect(target, connectTimeoutMillis);
            long startNs = System.nanoTime();
            long size = in.size();
            long sent = 0;
            while (sent < size) {
                sent += in.transferTo(sent, size - sent, ch);
            }
            ch.shutdownOutput();
            // The sink closes after EOF: wait for that so the figure covers delivery, not just the local send buffer.
            var one = ByteBuffer.allocate(1);
            while (ch.read(one) >= 0) {
                one.clear();
            }
            System.out.println("SENT bytes=" + sent + " nanos=" + (System.nanoTime() - startNs));
        }
    }
}
