package io.ocbridge.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.uapi.SetRequest;
import io.ocbridge.core.uapi.UapiException;
import io.ocbridge.core.uapi.UapiSet;
import io.ocbridge.crypto.fuzz.FuzzLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text parsers: UAPI set requests and YAML site configs end in a result or their one typed exception. */
class TextFuzzTest {
    /** What the UAPI line reader lets through: lines of at most 4096 bytes. */
    private static final int MAX_LINE_BYTES = 4096;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static Path folder;
    private static Path config;

    @FuzzTest(maxDuration = "10m")
    void uapiSet(byte[] data) {
        uapiOne(data);
    }

    @FuzzTest(maxDuration = "10m")
    void siteConfig(byte[] data) {
        configOne(data);
    }

    @Test
    void uapiSetMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(TextFuzzTest.class, "uapiSet");
        assertTrue(FuzzLoop.run("uapi-set", seeds, 8192, TextFuzzTest::uapiOne) >= seeds.size());
    }

    @Test
    void siteConfigMutationLoop() {
        List<byte[]> seeds = FuzzLoop.corpus(TextFuzzTest.class, "siteConfig");
        assertTrue(FuzzLoop.run("site-config", seeds, 16384, TextFuzzTest::configOne) >= seeds.size());
    }

    static void uapiOne(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                break;  // the blank line ends the request
            }
            if (line.length() <= MAX_LINE_BYTES) {
                lines.add(line);
            }
        }
        try {
            SetRequest request = UapiSet.parse(lines);
            request.destroy();
        } catch (UapiException expected) {
            // refused with an errno: fine
        }
    }

    /** The text becomes site.yaml in a folder that also holds valid key files (keys/site.key, keys/psk). */
    static void configOne(byte[] data) {
        try {
            Path file = configFile();
            Files.write(file, data);
            try {
                ConfigLoader.load(file, CLOCK);
            } catch (ConfigException expected) {
                // one typed error with its message: fine
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path configFile() throws IOException {
        if (config == null) {
            folder = Files.createTempDirectory("ocbridge-fuzz-config");
            Files.createDirectories(folder.resolve("keys"));
            for (String name : List.of("keys/site.key", "keys/psk")) {
                Path key = folder.resolve(name);
                Files.writeString(key, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n");
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            }
            config = folder.resolve("site.yaml");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(folder)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // temp folder: best effort
                }
            }));
        }
        return config;
    }
}
