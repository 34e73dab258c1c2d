package io.ocbridge.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every {@link ConfigError} found in one file, so that a user sees them all at once. */
final class Problems {

    private final Path file;
    private final List<ConfigError> errors = new ArrayList<>();

    Problems(Path file) {
        this.file = file;
    }

    void at(Node node, String field, String message) {
        at(node.getStartMark(), field, message);
    }

    void at(Mark mark, String field, String message) {
        errors.add(new ConfigError(file, mark.getLine() + 1, mark.getColumn() + 1, field, message));
    }

    void atLine(int line, int column, String message) {
        errors.add(new ConfigError(file, line, column, "", message));
    }

    void inFile(String message) {
        errors.add(new ConfigError(file, 0, 0, "", message));
    }

    boolean any() {
        return !errors.isEmpty();
    }

    /** Throws the errors found, in file order, if there are any. */
    void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
            throw new ConfigException(sorted);
        }
    }
}
