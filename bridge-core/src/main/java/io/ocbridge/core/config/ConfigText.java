package io.ocbridge.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * A config file from bytes to a YAML node tree in which every value keeps its line and column: bounded in size,
 * strict UTF-8, and YAML without duplicate keys, deep nesting or alias bombs. Problems go to {@link Problems}.
 */
final class ConfigText {
    /** Room for some 40,000 peers written one field a line: a hub's config, with room to spare. */
    static final int MAX_FILE_BYTES = 8 << 20;
    private static final int MAX_ALIASES = 16;
    private static final int MAX_NESTING = 16;

    private final Path file;
    private final Problems problems;

    ConfigText(Path file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** The file as UTF-8 text; reports size, read and encoding problems. */
    String read() {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            problems.inFile("file not found");
            return null;
        } catch (IOException e) {
            problems.inFile("cannot read: " + e.getMessage());
            return null;
        }
        if (bytes.length > MAX_FILE_BYTES) {
            problems.inFile("larger than " + (MAX_FILE_BYTES >> 20) + " MiB; refusing to load");
            return null;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            reportBadByte(bytes, in.position());
            return null;
        }
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private void reportBadByte(byte[] bytes, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = 1 + new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length();
        problems.atLine(line, column, String.format("not valid UTF-8 (byte 0x%02X)", bytes[offset] & 0xFF));
    }

    Node compose(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_FILE_BYTES);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            String message = "YAML: " + problem.strip().replace('\n', ' ');
            if (mark == null) {
                problems.inFile(message);
            } else {
                problems.atLine(mark.getLine() + 1, mark.getColumn() + 1, message);
            }
        } catch (YAMLException e) {
            problems.inFile("YAML: " + e.getMessage().strip().replace('\n', ' '));
        }
        return null;
    }
}
