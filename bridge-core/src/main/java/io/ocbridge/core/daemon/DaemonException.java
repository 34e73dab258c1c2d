package io.ocbridge.core.daemon;

/** The daemon could not start or keep running (device, socket, key file). Its message is one line for the operator. */
public final class DaemonException extends Exception {
    public DaemonException(String message) {
        super(message);
    }

    public DaemonException(String message, Throwable cause) {
        super(message, cause);
    }
}
