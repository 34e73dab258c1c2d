package io.ocbridge.core.uapi;

/** What a {@link UapiServer} serves: one device's state and changes to it. Called from connection threads. */
public interface UapiDevice {
    /** A snapshot; secrets included only when {@code withSecrets}. */
    DeviceState get(boolean withSecrets) throws UapiException;

    /** Applies a parsed {@code set=1}. */
    void set(SetRequest request) throws UapiException;
}
