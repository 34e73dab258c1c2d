package io.ocbridge.core.config;

import io.ocbridge.core.device.NoFollowFile;
import java.io.IOException;
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
import java.util.Arrays;
import java.util.Set;

/**
 * Secret files (private and preshared keys): only the owner may access them (mode &amp; 077 == 0).
 * Messages name the file and its mode, never its content.
 */
public final class KeyFiles {

    /**
     * The system user the packaged daemon runs as: its key files belong to it, and root may read them on its behalf
     * ({@code ocbridge check}, {@code reload} and {@code status} run as root).
     */
    public static final String SERVICE_USER = "ocbridge";

    /** A base64 key is 44 bytes; anything much larger is not a key file. */
    public static final int MAX_SECRET_BYTES = 4096;

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFiles() {
    }

    /** Turns a secret's text into what the caller keeps; may refuse it with {@code E}. */
    @FunctionalInterface
    public interface Decoder<T, E extends Exception> {
        T decode(byte[] text) throws E;
    }

    /** Reads a secret, stripped of surrounding whitespace, after checking it as {@link #readSecretBytes} does. */
    public static String readSecret(Path file) throws IOException {
        return decodeSecret(file, text -> new String(text, StandardCharsets.UTF_8));
    }

    /**
     * Reads a secret as {@link #readSecretBytes} does and hands its text to {@code decode}; the text is zeroed
     * afterwards, whether decoding succeeds or not, so the caller keeps only what it decoded.
     */
    public static <T, E extends Exception> T decodeSecret(Path file, Decoder<T, E> decode) throws IOException, E {
        byte[] text = readSecretBytes(file);
        try {
            return decode.decode(text);
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }

    /**
     * Reads a secret as bytes, stripped of surrounding whitespace, so that no String holds it: the caller decodes it
     * and zeroes the array. Refused, with one line naming the file: a symbolic link; anything but a regular file; a
     * file group or others can access; a file owned by anyone but root, {@link #SERVICE_USER} or this process's user;
     * a file in a folder that group or others can write to (they could replace the key). Owner and mode are those of
     * the file opened, not of the path ({@link NoFollowFile}).
     */
    public static byte[] readSecretBytes(Path file) throws IOException {
        String folderProblem = folderProblem(file.toAbsolutePath().getParent());
        if (folderProblem != null) {
            throw new IOException(file + ": " + folderProblem);
        }
        int self = NoFollowFile.effectiveUid();
        byte[] content = NoFollowFile.read(file, MAX_SECRET_BYTES, stat -> {
            if ((stat.mode() & 077) != 0) {
                return "mode " + String.format("%04o", stat.mode() & 07777)
                        + " lets group or others access this key; run chmod 600 on it";
            }
            if (stat.uid() != 0 && stat.uid() != self && !SERVICE_USER.equals(stat.ownerName())) {
                return "owned by uid " + stat.uid() + ", not by root, " + SERVICE_USER + " or this process's user (uid "
                        + self + "); chown it";
            }
            return null;
        });
        int start = 0;
        int end = content.length;
        while (start < end && Character.isWhitespace(content[start])) {
            start++;
        }
        while (end > start && Character.isWhitespace(content[end - 1])) {
            end--;
        }
        if (start == 0 && end == content.length) {
            return content;
        }
        byte[] stripped = Arrays.copyOfRange(content, start, end);
        Arrays.fill(content, (byte) 0);
        return stripped;
    }

    /** Why a key file may not live in {@code folder} (group or others can write to it), or null. */
    static String folderProblem(Path folder) {
        if (folder == null) {
            return null;
        }
        try {
            int mode = (Integer) Files.getAttribute(folder, "unix:mode");
            boolean sticky = (mode & 01000) != 0;  // /tmp-like: others cannot replace what is not theirs
            if ((mode & 022) != 0 && !sticky) {
                return "its folder " + folder + " has mode " + String.format("%04o", mode & 07777)
                        + ": group or others could replace the key; run chmod go-w on it";
            }
            return null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "cannot check its folder " + folder + ": " + e.getMessage();
        }
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
