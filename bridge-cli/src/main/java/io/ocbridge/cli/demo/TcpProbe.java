package io.ocbridge.cli.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;

/**
 * The transfer step's stand-in for iperf3 when it is not installed, run as its own JVM inside a namespace:
 * {@code sink ADDRESS PORT} accepts one connection and counts what arrives; {@code source ADDRESS PORT SECONDS} sends
 * zeros for that long. Each prints one line with bytes and Mbit/s.
 */
public final class TcpProbe {
    static final int BUFFER_BYTES = 128 * 1024;
    static final int ACCEPT_TIMEOUT_MILLIS = 30_000;

    private TcpProbe() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("sink")) {
            sink(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        } else if (args.length == 4 && args[0].equals("source")) {
            source(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: TcpProbe sink ADDRESS PORT | source ADDRESS PORT SECONDS");
            System.exit(2);
        }
    }

    private static void sink(InetAddress address, int port) throws IOException {
        try (var server = new ServerSocket()) {
            server.bind(new InetSocketAddress(address, port));
            server.setSoTimeout(ACCEPT_TIMEOUT_MILLIS);
            System.out.println("listening on " + address.getHostAddress() + ":" + port);
            System.out.flush();
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[BUFFER_BYTES];
                long bytes = 0;
                long startNs = System.nanoTime();
                for (int n; (n = in.read(buf)) > 0; ) {
                    bytes += n;
                }
                System.out.println(summary("received", bytes, System.nanoTime() - startNs));
            }
        }
    }

    private static void source(String host, int port, int seconds) throws IOException {
        try (Socket s = new Socket(host, port); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[BUFFER_BYTES];
            long bytes = 0;
            long startNs = System.nanoTime();
            long endNs = startNs + seconds * 1_000_000_000L;
            while (System.nanoTime() - endNs < 0) {
                out.write(buf);
                bytes += buf.length;
            }
            System.out.println(summary("sent", bytes, System.nanoTime() - startNs));
        }
    }

    static String summary(String verb, long bytes, long nanos) {
        return String.format(Locale.ROOT, "%s %.1f MB in %.2f s: %.0f Mbit/s", verb, bytes / 1e6, nanos / 1e9,
                bytes * 8 / (nanos / 1e9) / 1e6);
    }
}
