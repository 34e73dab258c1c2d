package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Curve25519 keys and preshared keys in WireGuard's base64 format, made with {@code wg} (ocbridge reads the same). */
final class Keys {
    /** A static key pair; {@link #toString()} never shows the private half. */
    record Pair(String privateKey, String publicKey) {
        @Override
        public String toString() {
            return "Pair[publicKey=" + publicKey + "]";
        }
    }

    private Keys() {}

    static Pair generate() {
        String priv = Cmd.run("wg", "genkey").orThrow().output().strip();
        return new Pair(priv, publicKeyOf(priv));
    }

    static String publicKeyOf(String privateKey) {
        return Cmd.run(Cmd.DEFAULT_TIMEOUT, privateKey + "\n", List.of("wg", "pubkey")).orThrow().output().strip();
    }

    static String presharedKey() {
        return Cmd.run("wg", "genpsk").orThrow().output().strip();
    }

    /** Writes {@code secret} to {@code file} created with mode 0600 from the start (never briefly world-readable). */
    static Path writeSecret(Path file, String secret) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
