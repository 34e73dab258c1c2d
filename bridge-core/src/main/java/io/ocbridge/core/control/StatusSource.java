package io.ocbridge.core.control;

/** Takes a status snapshot; called on the control server's threads, so it must not touch overlay state itself. */
@FunctionalInterface
public interface StatusSource {
    SiteStatus status() throws StatusUnavailableException;
}
