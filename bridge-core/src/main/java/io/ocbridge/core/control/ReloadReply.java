package io.ocbridge.core.control;

import java.util.List;

/**
 * The answer to {@code reload}: one status word on the first line, then one line per change made (or per config
 * error). {@code ok} — the new config runs (lines: what changed and what needs a restart); {@code invalid} — the new
 * config was refused and the running state kept (lines: {@code FILE:LINE:COL: field: problem}); {@code failed} — a
 * valid config that could not be applied (lines: why; nothing was changed).
 */
public record ReloadReply(Outcome outcome, List<String> lines) {

    public enum Outcome { OK, INVALID, FAILED }

    public ReloadReply {
        lines = List.copyOf(lines);
    }

    /** The wire form: the outcome word, then the lines, each ending in a newline. */
    public String toWire() {
        StringBuilder out = new StringBuilder(outcome.name().toLowerCase()).append('\n');
        for (String line : lines) {
            out.append(line.replace('\n', ' ')).append('\n');
        }
        return out.toString();
    }

    /** Reads {@link #toWire()}'s form; an unknown first line is a {@link IllegalArgumentException}. */
    public static ReloadReply parse(String text) {
        List<String> all = text.lines().toList();
        if (all.isEmpty()) {
            throw new IllegalArgumentException("empty reload reply");
        }
        Outcome outcome = switch (all.getFirst()) {
            case "ok" -> Outcome.OK;
            case "invalid" -> Outcome.INVALID;
            case "failed" -> Outcome.FAILED;
            default -> throw new IllegalArgumentException("unexpected reload reply: " + all.getFirst());
        };
        return new ReloadReply(outcome, all.subList(1, all.size()));
    }
}
