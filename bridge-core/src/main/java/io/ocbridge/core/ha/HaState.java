package io.ocbridge.core.ha;

import java.net.InetAddress;

/**
 * The site's HA role as operators see it: status and metrics read it from their threads, the daemon writes it on each
 * transition. {@code followAddress} is null without HA (always active).
 */
public final class HaState {
    private final InetAddress followAddress;
    private volatile Role role;
    private volatile long transitions;

    public HaState(InetAddress followAddress, Role initial) {
        this.followAddress = followAddress;
        this.role = initial;
    }

    /** Without HA: active for good. */
    public static HaState alwaysActive() {
        return new HaState(null, Role.ACTIVE);
    }

    public InetAddress followAddress() { return followAddress; }
    public Role role() { return role; }
    /** Role changes since the daemon started. */
    public long transitions() { return transitions; }

    /** Records a new role; false when it is the one already held. One writer (the daemon's HA thread). */
    public boolean change(Role next) {
        if (next == role) {
            return false;
        }
        role = next;
        transitions++;
        return true;
    }
}
