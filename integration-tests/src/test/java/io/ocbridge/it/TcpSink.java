package io.ocbridge.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Receiving end of a bulk TCP transfer, run as its own JVM inside a namespace ({@link Transfer}).
 * Accepts one connection, hashes everything until EOF, then prints
 * {@code RECEIVED bytes=<n> sha256=<hex> nanos=<first byte to EOF>} and exits 0. No JUnit on its classpath.
 * <p>Usage: {@code TcpSink <port> <idleTimeoutMillis>}; prints {@code LISTENING} once it accepts connections.
 */
public final class TcpSink {
    private static final int BUFFER_BYTES = 1 << 20;

    private TcpSink() {}

    public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
        int port = Integer.parseInt(args[0]);
        int idleTimeoutMillis = Integer.parseInt(args[1]);
        var sha256 = MessageDigest.getInstance("SHA-256");
        try (var server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            server.setSoTimeout(idleTimeoutMillis);
            System.out.println("LISTENING " + port);
            System.out.flush();
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(idleTimeoutMillis);
                socket.setReceiveBufferSize(4 << 20);
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[BUFFER_BYTES];
                long bytes = 0;
                long firstNs = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (bytes == 0) {
                        firstNs = System.nanoTime();
                    }
                    sha256.update(buf, 0, n);
                    bytes += n;
                }
                long nanos = System.nanoTime() - firstNs;
                System.out.println("RECEIVED bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(sha256.digest())
                        + " nanos=" + nanos);
            }
        }
    }
}
