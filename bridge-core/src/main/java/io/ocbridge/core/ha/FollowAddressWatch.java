package io.ocbridge.core.ha;

import io.ocbridge.core.device.AddressEvents;
import io.ocbridge.core.log.Log;
import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * Follows the VRRP virtual address: the gateway is {@link Role#ACTIVE} while the address is on one of its interfaces
 * that is up, {@link Role#STANDBY} otherwise. keepalived adds and removes the address; we never take part in the
 * election.
 *
 * <p>One thread of its own waits on rtnetlink for address and link changes ({@link AddressEvents}), so a change is seen
 * within milliseconds, and looks again at least every {@link #RECHECK_MILLIS} in case a change was missed. Each event
 * only triggers a fresh look at the interfaces, so nothing depends on decoding netlink. Where netlink is refused, it
 * looks every {@link #FALLBACK_POLL_MILLIS} instead. Listeners run on that thread, one call at a time.
 */
public final class FollowAddressWatch implements AutoCloseable {
    static final int RECHECK_MILLIS = 250;
    static final long FALLBACK_POLL_MILLIS = 50;

    private final InetAddress address;
    private final HaState state;
    private final Log log;
    private final Thread thread;
    private volatile Consumer<Role> listener = role -> { };
    private volatile boolean closed;

    private FollowAddressWatch(InetAddress address, Log log) {
        this.address = address;
        this.log = log;
        this.state = new HaState(address, LocalAddresses.isUpHere(address) ? Role.ACTIVE : Role.STANDBY);
        this.thread = new Thread(this::watch, "ocbridge-ha-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code address}; {@link #state()} holds the role found now. */
    public static FollowAddressWatch start(InetAddress address, Log log) {
        FollowAddressWatch watch = new FollowAddressWatch(address, log);
        watch.thread.start();
        log.info("ha-" + watch.state.role().label(), "follow-address=" + address.getHostAddress() + " reason=start");
        return watch;
    }

    public HaState state() {
        return state;
    }

    /** From now on {@code onChange} hears every role change; it is called once at once with the current role. */
    public synchronized void listen(Consumer<Role> onChange) {
        listener = onChange;
        onChange.accept(state.role());
    }

    /** Looks at the interfaces and reports a change of role. */
    synchronized void evaluate() {
        if (closed) {
            return;
        }
        Role now = LocalAddresses.isUpHere(address) ? Role.ACTIVE : Role.STANDBY;
        if (state.change(now)) {
            log.info("ha-" + now.label(), "follow-address=" + address.getHostAddress() + " reason="
                    + (now == Role.ACTIVE ? "address-up-here" : "address-gone"));
            listener.accept(now);
        }
    }

    private void watch() {
        AddressEvents events = null;
        try {
            events = AddressEvents.open();
        } catch (IOException | RuntimeException e) {
            log.warn("ha-netlink-unavailable", "error=\"" + e.getMessage() + "\" reason=polling-every-"
                    + FALLBACK_POLL_MILLIS + "ms");
        }
        try {
            evaluate();  // what changed between the first look and the subscription
            while (!closed) {
                if (events != null) {
                    try {
                        events.await(RECHECK_MILLIS);
                    } catch (IOException e) {
                        log.warn("ha-netlink-failed", "error=\"" + e.getMessage() + "\" reason=polling");
                        events.close();
                        events = null;
                    }
                } else {
                    Thread.sleep(FALLBACK_POLL_MILLIS);
                }
                evaluate();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (events != null) {
                events.close();
            }
        }
    }

    /** Stops watching; the thread closes its socket within {@link #RECHECK_MILLIS}. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        thread.interrupt();
    }
}
