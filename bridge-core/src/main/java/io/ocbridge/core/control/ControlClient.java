package io.ocbridge.core.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Sends one request to a daemon's control socket and returns the whole response. Bounded in size and time. */
public final class ControlClient {
    public static final int MAX_RESPONSE_BYTES = 16 << 20;

    private ControlClient() {
    }

    /**
     * The response to {@code request} (without its final newline). {@link IOException} messages are one line for the
     * operator: no socket, nobody listening, permission denied, timed out.
     */
    public static String request(Path socket, String request, Duration timeout) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("is the daemon running? no socket at " + socket);
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(timeout);
                    channel.close();
                } catch (InterruptedException | IOException e) {
                    // done in time, or closing anyway
                }
            });
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(StandardCharsets.UTF_8.encode(request + "\n"));
                return readAll(channel, socket);
            } catch (ClosedChannelException e) {
                throw new IOException("no answer from the daemon on " + socket + " within " + timeout.toSeconds() + " s");
            } finally {
                watchdog.interrupt();
            }
        } catch (java.net.ConnectException e) {
            throw new IOException("is the daemon running? nothing is listening on " + socket + " (" + e.getMessage()
                    + ")");
        } catch (java.net.SocketException e) {
            if (String.valueOf(e.getMessage()).contains("ermission denied")) {
                throw new IOException("permission denied on " + socket + " (the control socket is root-only; use sudo)");
            }
            throw new IOException(socket + ": " + e.getMessage(), e);
        }
    }

    private static String readAll(SocketChannel channel, Path socket) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
            if (out.size() > MAX_RESPONSE_BYTES) {
                throw new IOException("response from " + socket + " larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
        }
        String text = out.toString(StandardCharsets.UTF_8);
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }
}
