package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ocbridge.core.device.NoFollowFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
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

    @Test
    void refusesASymbolicLinkEvenToAGoodKeyFile() throws IOException {
        Path target = folder.resolve("real.key");
        KeyFiles.writeSecret(target, SECRET);
        Path link = Files.createSymbolicLink(folder.resolve("site.key"), target);
        IOException e = assertThrows(IOException.class, () -> KeyFiles.readSecret(link));
        assertEquals(link + ": is a symbolic link; name the key file itself", e.getMessage());
    }

    @Test
    void refusesAKeyInAFolderOthersCanWriteUnlessItIsSticky() throws IOException {
        Path shared = Files.createDirectory(folder.resolve("shared"));
        Path file = shared.resolve("site.key");
        KeyFiles.writeSecret(file, SECRET);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        IOException e = assertThrows(IOException.class, () -> KeyFiles.readSecret(file));
        assertEquals(file + ": its folder " + shared + " has mode 0770: group or others could replace the key; run"
                + " chmod go-w on it", e.getMessage());
        Files.setAttribute(shared, "unix:mode", 01777);  // like /tmp: nobody may replace a file that is not theirs
        assertEquals(SECRET, KeyFiles.readSecret(file));
    }

    @Test
    void refusesAKeyOwnedByAnotherUser() throws IOException {
        Assumptions.assumeTrue(NoFollowFile.effectiveUid() == 0, "only root can give a file away (CI runs as root)");
        Path file = folder.resolve("site.key");
        KeyFiles.writeSecret(file, SECRET);
        Files.setAttribute(file, "unix:uid", 4242);
        IOException e = assertThrows(IOException.class, () -> KeyFiles.readSecret(file));
        assertEquals(file + ": owned by uid 4242, not by root, ocbridge or this process's user (uid 0); chown it",
                e.getMessage());
    }

    @Test
    void readsBytesWithoutTheSurroundingWhitespace() throws IOException {
        Path file = folder.resolve("site.key");
        KeyFiles.writeSecret(file, "  " + SECRET + "\t");
        assertArrayEquals(SECRET.getBytes(java.nio.charset.StandardCharsets.US_ASCII), KeyFiles.readSecretBytes(file));
    }
}
