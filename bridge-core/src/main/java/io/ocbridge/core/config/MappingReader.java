package io.ocbridge.core.config;

import io.ocbridge.core.device.InterfaceName;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML mapping of a known schema: reports unknown keys (with a suggestion), duplicate
 * keys, missing required keys and values of the wrong type to {@link Problems}. Typed getters (integers in a
 * range, flags, words from a set, names, interface names, paths, key files) return null when a value is absent or
 * wrong, having reported why; callers carry on to find more errors.
 */
final class MappingReader {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");
    private static final String NAME_RULE = "must be 1..32 characters of a-z, 0-9 and -";
    static final int KEY_BYTES = 32;

    private final MappingNode node;
    private final String path;
    private final Problems problems;
    private final Map<String, Node> values = new LinkedHashMap<>();
    private final Map<String, Node> keys = new LinkedHashMap<>();

    private MappingReader(MappingNode node, String path, Problems problems, List<String> allowedKeys) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                problems.at(keyNode, path, "keys must be plain names, got " + describe(keyNode));
                continue;
            }
            String key = scalar.getValue();
            if (keys.containsKey(key)) {
                problems.at(keyNode, field(key), "duplicate key (first at line " + line(keys.get(key)) + ")");
                continue;
            }
            if (!allowedKeys.contains(key)) {
                problems.at(keyNode, field(key), "unknown key" + suggestion(key, allowedKeys));
                continue;
            }
            keys.put(key, keyNode);
            values.put(key, tuple.getValueNode());
        }
    }

    /** A reader for {@code node} if it is a mapping; else reports the type and returns null. */
    static MappingReader of(Node node, String path, Problems problems, List<String> allowedKeys) {
        if (node instanceof MappingNode mapping) {
            return new MappingReader(mapping, path, problems, allowedKeys);
        }
        problems.at(node, path, "expected a mapping, got " + describe(node));
        return null;
    }

    /** The path of a key of this mapping, e.g. {@code overlays[0].mtu}. */
    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The value node of {@code key}, or null if absent or null in YAML. */
    Node value(String key) {
        Node value = values.get(key);
        return isNull(value) ? null : value;
    }

    /** Reports {@code key} as required if it is absent; returns whether it is present. */
    boolean require(String key) {
        if (values.containsKey(key) && !isNull(values.get(key))) {
            return true;
        }
        if (values.containsKey(key)) {
            problems.at(values.get(key), field(key), "must not be empty");
        } else {
            problems.at(node, field(key), "is required");
        }
        return false;
    }

    /** A scalar as text; null (reported) if not a scalar, null if absent. */
    String string(String key, boolean required) {
        if (required && !require(key)) {
            return null;
        }
        Node value = value(key);
        return value == null ? null : scalar(value, field(key), problems);
    }

    /** A decimal integer in {@code min..max}; {@code absent} if absent, null (reported) if wrong. */
    Long integer(String key, long min, long max, Long absent, String rangeNote) {
        Node value = value(key);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.INT)) {
            problems.at(value, field(key), "expected an integer, got " + describe(value));
            return null;
        }
        String text = scalar.getValue();
        if (!text.matches("[-+]?[0-9]{1,18}")) {
            problems.at(value, field(key), "expected a decimal integer, got \"" + text + "\"");
            return null;
        }
        long number = Long.parseLong(text);
        if (number < min || number > max) {
            problems.at(value, field(key), "must be " + min + ".." + max + rangeNote + ", got " + number);
            return null;
        }
        return number;
    }

    /** {@code true} or {@code false}; {@code absent} if absent, null (reported) if anything else. */
    Boolean flag(String key, boolean absent) {
        return choice(key, absent, Map.of("true", true, "false", false), "true or false");
    }

    /**
     * One of the words of {@code choices} (described as {@code expected}, e.g. "allow or block"), as its value;
     * {@code absent} if absent, null (reported) if anything else.
     */
    <T> T choice(String key, T absent, Map<String, T> choices, String expected) {
        Node value = value(key);
        if (value == null) {
            return absent;
        }
        String text = string(key, false);
        if (text == null) {
            return null;
        }
        T chosen = choices.get(text);
        if (chosen == null) {
            problems.at(value, field(key), "must be " + expected + ", got \"" + text + "\"");
        }
        return chosen;
    }

    /** A required name matching [a-z0-9-]{1,32}; null (reported) otherwise. */
    String name(String key) {
        String name = string(key, true);
        if (name != null && !NAME.matcher(name).matches()) {
            problems.at(value(key), field(key), NAME_RULE + ", got \"" + name + "\"");
            return null;
        }
        return name;
    }

    /** A network interface name the kernel would take; null (reported) otherwise. */
    String interfaceName(String key, boolean required) {
        String name = string(key, required);
        if (name != null && InterfaceName.problem(name) != null) {
            problems.at(value(key), field(key), InterfaceName.problem(name));
            return null;
        }
        return name;
    }

    /** Reports {@code key} as required if absent, and an empty list as such (a non-list is reported by its reader). */
    void requireNonEmptyList(String key) {
        if (require(key) && value(key) instanceof SequenceNode list && list.getValue().isEmpty()) {
            problems.at(value(key), field(key), "must list at least one");
        }
    }

    /** A path resolved against {@code folder} (the config's); null if absent or invalid (reported). */
    Path path(String key, boolean required, Path folder) {
        String text = string(key, required);
        if (text == null) {
            return null;
        }
        try {
            return folder.resolve(text).normalize();
        } catch (InvalidPathException e) {
            problems.at(value(key), field(key), "not a valid path: " + e.getReason());
            return null;
        }
    }

    /**
     * A key file's path, resolved against {@code folder}, checked to exist, be private and hold a key; the path even
     * when it fails a check (reported), null if absent or not a path.
     */
    Path keyFile(String key, boolean required, Path folder) {
        Path path = path(key, required, folder);
        if (path == null) {
            return null;
        }
        String problem = KeyFiles.problem(path);
        if (problem == null) {
            try {
                KeyFiles.decodeSecret(path, PresharedKey::fromBase64);  // any 32 bytes: a private or preshared key
            } catch (KeyFormatException e) {
                problem = "does not hold a " + KEY_BYTES + "-byte base64 key";
            } catch (IOException e) {
                problem = "cannot read: " + e.getMessage();
            }
        }
        if (problem != null) {
            problems.at(value(key), field(key), path + ": " + problem);
        }
        return path;
    }

    /** The items of a list; an empty list if absent; null (reported) if not a list. */
    List<Node> list(String key) {
        Node value = value(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        problems.at(value, field(key), "expected a list, got " + describe(value));
        return null;
    }

    /** Reads each item of a list with {@code item}, keeping the good ones with their node and path. */
    <T> List<Item<T>> items(String key, ItemReader<T> item) {
        List<Node> nodes = list(key);
        if (nodes == null) {
            return List.of();
        }
        List<Item<T>> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String itemPath = field(key) + "[" + i + "]";
            T result = item.read(nodes.get(i), itemPath);
            if (result != null) {
                out.add(new Item<>(result, nodes.get(i), itemPath));
            }
        }
        return out;
    }

    /** A list item that was read without problems, with where it came from. */
    record Item<T>(T value, Node node, String path) {
        static <T> List<T> values(List<Item<T>> items) {
            return items.stream().map(Item::value).toList();
        }
    }

    /** Reads a list item at a path; returns null after reporting a problem. */
    @FunctionalInterface
    interface ItemReader<T> {
        T read(Node node, String path);
    }

    /** An item reader for scalars, parsed by {@code parse} whose IllegalArgumentException message is reported. */
    static <T> ItemReader<T> scalarItem(Problems problems, Function<String, T> parse) {
        return (node, path) -> {
            String text = scalar(node, path, problems);
            if (text == null) {
                return null;
            }
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                problems.at(node, path, e.getMessage());
                return null;
            }
        };
    }

    static String scalar(Node node, String path, Problems problems) {
        if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            return scalar.getValue();
        }
        problems.at(node, path, "expected a string, got " + describe(node));
        return null;
    }

    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        Tag tag = node.getTag();
        if (tag.equals(Tag.INT)) {
            return "an integer";
        }
        if (tag.equals(Tag.FLOAT)) {
            return "a number";
        }
        if (tag.equals(Tag.BOOL)) {
            return "a boolean";
        }
        if (tag.equals(Tag.NULL)) {
            return "nothing";
        }
        return "a string";
    }

    private static String suggestion(String key, List<String> allowedKeys) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowedKeys) {
            int distance = editDistance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best != null && bestDistance <= Math.max(2, best.length() / 3)) {
            return "; did you mean " + best + "?";
        }
        return "; expected one of " + String.join(", ", allowedKeys);
    }

    /** Levenshtein distance, two rows. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
