package io.ocbridge.core.ha;

import io.ocbridge.core.device.LinkConfigurator;
import io.ocbridge.core.log.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows the VRRP virtual address: the gateway is {@link Role#ACTIVE} while the address is on one of its interfaces
 * that is up, {@link Role#STANDBY} otherwise. keepalived adds and removes the address; we never take part in the
 * election.
 *
 * <p>Events come from {@code ip -o monitor address link} (rtnetlink, as a child process), so a change is seen within
 * milliseconds; each line only triggers a fresh look at the interfaces, so nothing depends on parsing {@code ip}'s
 * output. A poll every {@link #POLL_MILLIS} catches what a dead or restarting monitor would miss. Listeners run on the
 * watch's threads, one call at a time.
 */
public final class FollowAddressWatch implements AutoCloseable {
    static final long POLL_MILLIS = 1_000;
    private static final long MONITOR_RESTART_MILLIS = 1_000;

    private final InetAddress address;
    private final HaState state;
    private final Log log;
    private final ScheduledExecutorService poller;
    private final Thread monitorThread;
    private volatile Consumer<Role> listener = role -> { };
    private volatile Process monitor;
    private volatile boolean closed;

    private FollowAddressWatch(InetAddress address, Log log) {
        this.address = address;
        this.log = log;
        this.state = new HaState(address, LocalAddresses.isUpHere(address) ? Role.ACTIVE : Role.STANDBY);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "ocbridge-ha-poll"));
        this.monitorThread = daemonThread(this::monitorLoop, "ocbridge-ha-monitor");
    }

    /** Starts watching {@code address}; {@link #state()} holds the role found now. */
    public static FollowAddressWatch start(InetAddress address, Log log) {
        FollowAddressWatch watch = new FollowAddressWatch(address, log);
        watch.monitorThread.start();
        watch.poller.scheduleWithFixedDelay(watch::evaluate, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
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

    /** Looks at the interfaces and reports a change of role. Any watch thread. */
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

    /** Runs the monitor child and evaluates on each line; restarts it (after a pause) if it exits. */
    private void monitorLoop() {
        while (!closed) {
            try {
                Path ip = LinkConfigurator.ipBinary();
                if (ip == null) {
                    throw new IOException("no ip at " + LinkConfigurator.IP_LOCATIONS + " (install iproute2)");
                }
                ProcessBuilder builder = new ProcessBuilder(ip.toString(), "-o", "monitor", "address", "link")
                        .redirectErrorStream(true);
                builder.environment().put("LC_ALL", "C");
                Process process = builder.start();
                monitor = process;
                if (closed) {
                    process.destroy();
                    return;
                }
                evaluate();  // what changed before the monitor listened
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    while (lines.readLine() != null) {
                        evaluate();
                    }
                }
                if (!closed) {
                    log.warn("ha-monitor-exited", "exit=" + process.waitFor() + " reason=restarting");
                }
            } catch (IOException e) {
                if (!closed) {
                    log.warn("ha-monitor-failed", "error=" + e.getMessage() + " reason=polling-only-until-restart");
                }
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                try {
                    Thread.sleep(MONITOR_RESTART_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static Thread daemonThread(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        poller.shutdownNow();
        Process process = monitor;
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(1, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        monitorThread.interrupt();
    }
}
