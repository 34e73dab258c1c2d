package io.ocbridge.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Secret files (private and preshared keys): only the owner may access them (mode &amp; 077 == 0).
 * Messages name the file and its mode, never its content.
 */
public final class KeyFiles {

    /** A base64 key is 44 bytes; anything much larger is not a key file. */
    public static final int MAX_SECRET_BYTES = 4096;

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFiles() {
    }

    /** Reads a secret, stripped of surrounding whitespace, after checking that only its owner can access it. */
    public static String readSecret(Path file) throws IOException {
        String problem = problem(file);
        if (problem != null) {
            throw new IOException(file + ": " + problem);
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_SECRET_BYTES + 1);
        }
        if (content.length > MAX_SECRET_BYTES) {
            throw new IOException(file + ": larger than " + MAX_SECRET_BYTES + " bytes; not a key file");
        }
        return new String(content, StandardCharsets.UTF_8).strip();
    }

    /** Writes a secret (plus a newline) atomically into a file created with mode 0600. */
    public static void writeSecret(Path file, String secret) throws IOException {
        replaceAtomically(file, secret + "\n",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /**
     * Replaces {@code file} with {@code text} through a temporary file in the same folder (created
     * with {@code attributes}) and a rename, so a reader sees the old content or the new, never half.
     */
    public static void replaceAtomically(Path file, String text, FileAttribute<?>... attributes) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp", attributes);
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Creates {@code file} holding {@code secret} and a newline, mode 0600 from the first instant;
     * refuses with {@link java.nio.file.FileAlreadyExistsException} if it exists, so a key is never
     * overwritten by mistake.
     */
    public static void createSecret(Path file, String secret) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(secret + "\n");
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /** Why {@code file} cannot hold a secret, or null if it can. */
    static String problem(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "not a regular file" : "file not found";
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            for (PosixFilePermission permission : permissions) {
                if (GROUP_OR_OTHERS.contains(permission)) {
                    return "mode " + octal(permissions) + " lets group or others access this key; run chmod 600 on it";
                }
            }
            return null;
        } catch (NoSuchFileException e) {
            return "file not found";
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot check permissions: " + e.getMessage();
        }
    }

    private static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return String.format("%04o", mode);
    }
}
