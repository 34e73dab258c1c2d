package io.ocbridge.core.uapi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the UAPI's newline-terminated lines from a stream, bounded: a line longer than {@link #MAX_LINE_BYTES} or a
 * request (the lines up to its blank line) over {@link #MAX_REQUEST_BYTES} is refused with {@code EMSGSIZE}; the
 * connection cannot be resynchronized after that and must be closed.
 */
final class LineReader {
    static final int MAX_LINE_BYTES = 4096;
    static final int MAX_REQUEST_BYTES = 1 << 20;

    private final InputStream in;
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int requestBytes;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Starts counting a new request against {@link #MAX_REQUEST_BYTES}. */
    void newRequest() {
        requestBytes = 0;
    }

    /** The next line without its '\n'; null at end of stream (a partial last line is dropped). */
    String readLine() throws IOException, UapiException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (++requestBytes > MAX_REQUEST_BYTES) {
                throw new UapiException(UapiException.EMSGSIZE, "request over " + MAX_REQUEST_BYTES + " bytes");
            }
            if (b == '\n') {
                return new String(line, 0, length, StandardCharsets.UTF_8);
            }
            if (length == MAX_LINE_BYTES) {
                throw new UapiException(UapiException.EMSGSIZE, "line over " + MAX_LINE_BYTES + " bytes");
            }
            line[length++] = (byte) b;
        }
    }

    /** The lines up to (without) the blank line that ends a request; null if the stream ends first. */
    List<String> readUntilBlank() throws IOException, UapiException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String next = readLine();
            if (next == null) {
                return null;
            }
            if (next.isEmpty()) {
                return lines;
            }
            lines.add(next);
        }
    }
}
