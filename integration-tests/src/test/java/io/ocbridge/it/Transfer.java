package io.ocbridge.it;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Byte-exact bulk TCP transfer between two namespaces: {@link TcpSource} in one, {@link TcpSink} in the other,
 * each a small JVM on this JVM's own JDK. The sink reports length and SHA-256 of what arrived.
 */
final class Transfer {
    static final int PORT = 5201;
    private static final Pattern RECEIVED = Pattern.compile("RECEIVED bytes=(\\d+) sha256=([0-9a-f]{64}) nanos=(\\d+)");
    private static final List<String> HELPER_JVM_OPTS = List.of("-XX:+UseSerialGC", "-Xmx64m");

    /** A payload file of pseudo-random bytes and its SHA-256. */
    record Payload(Path file, long bytes, String sha256) {}

    /** What the sink got, and how fast (first byte to EOF). */
    record Result(long bytes, String sha256, long nanos) {
        double megabytesPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }

        double megabitsPerSecond() {
            return megabytesPerSecond() * 8;
        }

        String summary() {
            return String.format(Locale.ROOT, "%d bytes in %.2f s = %.1f MB/s (%.0f Mbit/s)",
                    bytes, nanos / 1e9, megabytesPerSecond(), megabitsPerSecond());
        }
    }

    private Transfer() {}

    /** Writes {@code bytes} of reproducible pseudo-random data ({@code seed}) to {@code file}. */
    static Payload payload(Path file, long bytes, long seed) {
        var random = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        try {
            var sha256 = MessageDigest.getInstance("SHA-256");
            try (var out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file)), sha256)) {
                for (long left = bytes; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    out.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            return new Payload(file, bytes, HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code payload} from {@code from} to {@code toAddress} (inside {@code to}); everything bounded by {@code timeout}. */
    static Result send(Lab t, Netns from, Netns to, String toAddress, Payload payload, Duration timeout) {
        var sink = t.start(to, "tcp-sink", helper(TcpSink.class, Integer.toString(PORT), Long.toString(timeout.toMillis())));
        if (!Wait.until(Duration.ofSeconds(15), () -> sink.logText().contains("LISTENING") || !sink.isAlive())
                || !sink.isAlive()) {
            throw new AssertionError("sink not listening: " + sink + "\n" + sink.logText());
        }
        var source = t.start(from, "tcp-source", helper(TcpSource.class,
                toAddress, Integer.toString(PORT), payload.file().toString(), Long.toString(timeout.toMillis())));
        var sourceExit = source.awaitExit(timeout);
        var sinkExit = sink.awaitExit(Duration.ofSeconds(10));
        if (sourceExit.isEmpty() || sinkExit.isEmpty()) {
            source.kill();
            sink.kill();
            throw new AssertionError("transfer did not finish within " + timeout + "\nsource: " + source.logText()
                    + "\nsink: " + sink.logText());
        }
        var m = RECEIVED.matcher(sink.logText());
        if (sourceExit.getAsInt() != 0 || sinkExit.getAsInt() != 0 || !m.find()) {
            throw new AssertionError("transfer failed (source exit " + sourceExit.getAsInt() + ", sink exit "
                    + sinkExit.getAsInt() + ")\nsource: " + source.logText() + "\nsink: " + sink.logText());
        }
        return new Result(Long.parseLong(m.group(1)), m.group(2), Long.parseLong(m.group(3)));
    }

    private static List<String> helper(Class<?> main, String... args) {
        var argv = new ArrayList<String>();
        argv.add(TestHost.javaBinary());
        argv.addAll(HELPER_JVM_OPTS);
        argv.addAll(List.of("-cp", TestHost.testClasspath(), main.getName()));
        argv.addAll(List.of(args));
        return argv;
    }
}
