package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

    private static final String SECRET = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";

    @TempDir
    Path folder;

    @Test
    void writesOwnerOnlyAndReadsBack() throws IOException {
        Path file = folder.resolve("site.key");
        KeyFiles.writeSecret(file, SECRET);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(SECRET, KeyFiles.readSecret(file));
        KeyFiles.writeSecret(file, "replaced");
        assertEquals("replaced", KeyFiles.readSecret(file));
        try (var listing = Files.list(folder)) {
            assertEquals(1, listing.count(), "no temporary file left behind");
        }
    }

    @Test
    void refusesGroupOrWorldAccessWithoutShowingTheKey() throws IOException {
        Path file = folder.resolve("site.key");
        KeyFiles.writeSecret(file, SECRET);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        IOException e = assertThrows(IOException.class, () -> KeyFiles.readSecret(file));
        assertEquals(file + ": mode 0640 lets group or others access this key; run chmod 600 on it", e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void refusesMissingAndNonRegularFiles() {
        IOException missing = assertThrows(IOException.class, () -> KeyFiles.readSecret(folder.resolve("none")));
        assertEquals(folder.resolve("none") + ": file not found", missing.getMessage());
        IOException directory = assertThrows(IOException.class, () -> KeyFiles.readSecret(folder));
        assertEquals(folder + ": not a regular file", directory.getMessage());
    }
}
