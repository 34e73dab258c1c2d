package io.ocbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every invalid config of {@code src/test/resources/bad-configs/} (plus a few made at test time: a file over 8 MiB, a
 * missing one, a folder, an unreadable one) through the real CLI, {@code check -c} and {@code up -c}: exit 2, every
 * stderr line {@code FILE:LINE:COL: field: message} or {@code FILE: message}, the error named on the file's first
 * line ({@code # expect: <everything after FILE>}, {@code ${DIR}} for the config's folder) among them, no stack trace,
 * and {@code up} gives up at once without creating a device or a socket.
 * <p>
 * Key and PKI files the corpus refers to are made per case in a fresh folder, so their modes are exact: {@code
 * keys/site.key} and {@code keys/psk} 0600, {@code keys/world.key} 0644, {@code keys/group.key} 0640, {@code
 * keys/garbage.key} 0600 holding no key, {@code keys/huge.key} 0600 of 8 KiB, {@code keys/a-directory/},
 * {@code pki/garbage.pem}.
 */
class BadConfigCorpusTest {
    private static final String CORPUS = "/bad-configs";
    private static final Pattern EXPECT = Pattern.compile("# expect: (.+)");
    /** Devices and sockets the corpus names: none may appear because of a refused {@code up}. */
    private static final List<String> DEVICES = List.of("ocb-corp", "ocb-two", "ocb-lan", "ocb-lan2");
    /** {@code up} refuses before it touches anything; this only catches a hang. */
    private static final long UP_REFUSES_WITHIN_MILLIS = 10_000;
    private static final AtomicInteger REJECTED = new AtomicInteger();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void keyAndPkiFiles() throws IOException {
        Files.createDirectories(dir.resolve("keys/a-directory"));
        Files.createDirectories(dir.resolve("pki"));
        secret("keys/site.key", key(), "rw-------");
        secret("keys/psk", key(), "rw-------");
        secret("keys/world.key", key(), "rw-r--r--");
        secret("keys/group.key", key(), "rw-r-----");
        secret("keys/garbage.key", "this is not a key", "rw-------");
        secret("keys/huge.key", "A".repeat(8192), "rw-------");
        Files.writeString(dir.resolve("pki/garbage.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                + "-----END CERTIFICATE-----\n");
    }

    @AfterAll
    static void summary() {
        System.out.println("[ocbridge] bad configs rejected (check and up: exit 2, FILE:LINE:COL lines, no trace, no device): "
                + REJECTED.get());
    }

    static Stream<String> corpus() throws IOException, URISyntaxException {
        Path folder = Path.of(BadConfigCorpusTest.class.getResource(CORPUS).toURI());
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .sorted().toList();
            assertTrue(names.size() >= 50, "corpus has " + names.size() + " configs");
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refused(String name) throws Exception {
        byte[] bytes;
        try (var in = BadConfigCorpusTest.class.getResourceAsStream(CORPUS + "/" + name)) {
            bytes = in.readAllBytes();
        }
        String firstLine = new String(bytes, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        var expect = EXPECT.matcher(firstLine);
        assertTrue(expect.matches(), name + ": first line must be '# expect: ...', got: " + firstLine);
        Path config = dir.resolve(name);
        Files.write(config, bytes);
        assertRefused(config, expect.group(1));
    }

    /** Cases that cannot be files in the corpus. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"larger-than-8-MiB", "not-found", "a-folder", "unreadable"})
    void refusedMadeAtTestTime(String kind) throws Exception {
        Path config = dir.resolve(kind + ".yaml");
        String expected;
        switch (kind) {
            case "larger-than-8-MiB" -> {
                // Valid YAML all the way, so only the size can refuse it: 8 MiB of comment lines, then a real config.
                var text = new StringBuilder();
                while (text.length() <= ConfigLoader.MAX_FILE_BYTES) {
                    text.append("# ").append("x".repeat(97)).append('\n');
                }
                text.append("site: dc-east\nprivate-key-file: keys/site.key\noverlays: []\n");
                Files.writeString(config, text);
                expected = ": larger than 8 MiB; refusing to load";
            }
            case "not-found" -> expected = ": file not found";
            case "a-folder" -> {
                Files.createDirectory(config);
                expected = ": cannot read: Is a directory";
            }
            case "unreadable" -> {
                Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                        "root reads a mode-000 file anyway");
                Files.writeString(config, "site: dc-east\n");
                Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("---------"));
                expected = ": cannot read: " + config;
            }
            default -> throw new IllegalArgumentException(kind);
        }
        assertRefused(config, expected);
    }

    private void assertRefused(Path config, String expectedSuffix) {
        String expected = expectedSuffix.replace("${DIR}", dir.toString());
        Pattern line = Pattern.compile("^" + Pattern.quote(config.toString()) + "(:[0-9]+:[0-9]+)?: \\S.*$");
        Run check = run("check", "-c", config.toString());
        assertRefusedRun("check", config, check, line, expected);

        boolean socketBefore = Files.exists(Path.of("/run/ocbridge/dc-east.sock"));
        long start = System.nanoTime();
        Run up = run("up", "-c", config.toString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertRefusedRun("up", config, up, line, expected);
        assertEquals(check.err(), up.err(), "up reports exactly what check reports");
        assertTrue(millis < UP_REFUSES_WITHIN_MILLIS, "up took " + millis + " ms to refuse");
        for (String device : DEVICES) {
            assertFalse(Files.exists(Path.of("/sys/class/net", device)), "up created device " + device);
            assertFalse(Files.exists(Path.of("/var/run/wireguard", device + ".sock")), "up created a UAPI socket");
        }
        assertEquals(socketBefore, Files.exists(Path.of("/run/ocbridge/dc-east.sock")), "up made a control socket");
        assertFalse(Files.exists(dir.resolve("control.sock")), "up made a control socket");
        REJECTED.incrementAndGet();
    }

    private static void assertRefusedRun(String command, Path config, Run run, Pattern line, String expected) {
        String all = run.out() + run.err();
        String shown = command + " printed:\n" + all;
        assertEquals(Main.EXIT_USAGE, run.exit(), shown);
        assertFalse(all.contains("Exception") || all.contains("\tat ") || all.contains("Caused by"), shown);
        assertEquals("", run.out().strip(), "nothing on stdout; " + shown);
        List<String> lines = run.err().strip().lines().toList();
        assertFalse(lines.isEmpty(), shown);
        assertEquals(lines.size(), lines.stream().distinct().count(), "each error once; " + shown);
        for (String l : lines) {
            assertTrue(line.matcher(l).matches(), "not FILE:LINE:COL: field: message: " + l + "\n" + shown);
        }
        String prefix = config.toString();
        assertTrue(lines.stream().anyMatch(l -> l.substring(prefix.length()).equals(expected)),
                "expected\n  FILE" + expected + "\namong\n  " + lines.stream().map(l -> "FILE" + l.substring(
                        prefix.length())).reduce((a, b) -> a + "\n  " + b).orElse(""));
    }

    /** The CLI in this JVM, as {@link Main#main} runs it; the daemon's log (stderr in production) counts as stderr. */
    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        var log = new ByteArrayOutputStream();
        Log.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            int exit = cli.execute(args);
            return new Run(exit, out.toString(), err + log.toString(StandardCharsets.UTF_8));
        } finally {
            Log.setOutput(System.err);
        }
    }

    private void secret(String relative, String content, String mode) throws IOException {
        Path file = dir.resolve(relative);
        Files.writeString(file, content + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
