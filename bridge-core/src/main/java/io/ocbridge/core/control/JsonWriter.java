package io.ocbridge.core.control;

/**
 * Compact JSON onto a {@link StringBuilder}: objects, arrays, strings, integers, booleans, null. Commas are placed
 * for the caller; nesting is the caller's to balance. Strings are escaped per RFC 8259, plus U+2028/U+2029 and lone
 * surrogates (so the output is always valid UTF-8 and safe to embed in JavaScript).
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Deep enough for the status schema; guards against unbalanced callers, not data. */
    private static final int MAX_DEPTH = 32;

    private final StringBuilder out = new StringBuilder(1024);
    /** Per open container: whether the next element needs a comma before it. */
    private final boolean[] needsComma = new boolean[MAX_DEPTH + 1];
    private int depth;
    private boolean afterName;

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** The next member's name; a value (or container) must follow. */
    public JsonWriter name(String name) {
        separate();
        quote(out, name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        separate();
        out.append(value);
        return this;
    }

    public JsonWriter value(boolean value) {
        separate();
        out.append(value);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private JsonWriter open(char bracket) {
        separate();
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        out.append(bracket);
        needsComma[++depth] = false;
        return this;
    }

    private JsonWriter close(char bracket) {
        if (depth == 0) {
            throw new IllegalStateException("no open JSON container to close with " + bracket);
        }
        depth--;
        out.append(bracket);
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (needsComma[depth]) {
            out.append(',');
        }
        needsComma[depth] = true;
    }

    /** Appends {@code s} as a JSON string literal. */
    public static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }
}
