package io.ocbridge.core.config;

import java.nio.file.Path;

/**
 * One mistake in a config file: where it is, which field (a path such as
 * {@code overlays[0].peers[1].allowed-ips[2]}, empty for the file as a whole) and what is wrong.
 * Line and column count from 1; 0 means the error concerns the whole file.
 */
public record ConfigError(Path file, int line, int column, String field, String message) {

    /** {@code FILE:LINE:COL: field: message}, shortened where there is no position or field. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder().append(file);
        if (line > 0) {
            out.append(':').append(line).append(':').append(column);
        }
        out.append(": ");
        if (!field.isEmpty()) {
            out.append(field).append(": ");
        }
        return out.append(message).toString();
    }
}
