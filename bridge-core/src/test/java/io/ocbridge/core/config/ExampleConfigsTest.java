package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ocbridge.crypto.keys.PrivateKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The example site configs in configs/ load cleanly once their keys exist and placeholders are filled. */
class ExampleConfigsTest {
    private static final Path CONFIGS = Path.of("..", "configs");
    private static final Pattern PLACEHOLDER = Pattern.compile("REPLACE-WITH-[a-z0-9-]+-PUBLIC-KEY=");

    @TempDir
    Path folder;

    @ParameterizedTest
    @ValueSource(strings = {"dc-east.yaml", "cloud-a.yaml"})
    void exampleLoads(String name) throws Exception {
        String text = Files.readString(CONFIGS.resolve(name));
        Matcher placeholders = PLACEHOLDER.matcher(text);
        String filled = placeholders.replaceAll(m -> PrivateKey.generate().publicKey().toBase64());
        Path config = folder.resolve(name);
        Files.writeString(config, filled);
        Files.createDirectories(folder.resolve("keys"));
        for (String key : new String[] {"keys/dc-east.key", "keys/cloud-a.key", "keys/corp.psk"}) {
            writeKey(folder.resolve(key));
        }
        SiteConfig site = ConfigLoader.load(config);
        assertEquals(1, site.overlays().size());
        assertEquals(1, site.overlays().get(0).segments().size(), "the examples stretch a LAN segment");
        assertFalse(site.overlays().get(0).peers().isEmpty());
    }

    private static void writeKey(Path file) throws IOException {
        Files.writeString(file, PrivateKey.generate().toBase64() + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
