package io.ocbridge.core.control;

/** A status snapshot could not be taken (an event loop did not answer in time); its message is one line. */
public final class StatusUnavailableException extends Exception {
    public StatusUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
