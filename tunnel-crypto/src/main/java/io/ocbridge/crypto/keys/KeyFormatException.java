package io.ocbridge.crypto.keys;

/** A key string is not in `wg` format. The message names the defect and never echoes the input. */
public final class KeyFormatException extends Exception {

    public KeyFormatException(String message) {
        super(message);
    }
}
