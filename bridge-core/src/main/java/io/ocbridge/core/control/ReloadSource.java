package io.ocbridge.core.control;

/** Re-reads the config and applies it; called on a control server thread, blocking until the reload is done. */
@FunctionalInterface
public interface ReloadSource {
    ReloadReply reload();
}
