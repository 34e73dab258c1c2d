package io.ocbridge.core.ha;

import java.util.Locale;

/** A gateway's part in its HA pair. Without {@code ha} in the config a daemon is always {@link #ACTIVE}. */
public enum Role {
    /** Speaks for the site: holds the follow-address, talks to peers, carries frames. */
    ACTIVE,
    /** Ready to take over (devices, addresses, routes and TAPs exist) but silent towards peers and the LAN. */
    STANDBY;

    /** As status and logs write it: {@code active}, {@code standby}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
