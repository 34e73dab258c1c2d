package io.ocbridge.cli;

import io.ocbridge.core.config.ConfigException;
import io.ocbridge.core.config.ConfigLoader;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.daemon.Daemon;
import io.ocbridge.core.daemon.DaemonException;
import io.ocbridge.core.log.Log;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code ocbridge up -c FILE}: runs the site's overlays in the foreground until SIGTERM or SIGINT; SIGHUP reloads the
 * config (as {@code ocbridge reload}) on a thread of its own, so the signal thread never waits on the daemon.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Bring the site's overlays up and run in the foreground until SIGTERM/SIGINT; SIGHUP reloads.")
final class UpCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Site config (YAML).")
    Path config;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "debug, info, warn or error (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Override
    public Integer call() {
        Log.Level level;
        try {
            level = Log.Level.valueOf(logLevel.toUpperCase());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("ocbridge up: --log-level: '" + logLevel
                    + "' is not one of debug, info, warn, error");
            return Main.EXIT_USAGE;
        }
        Log.setThreshold(level);
        SiteConfig site;
        try {
            site = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<Daemon> running = new AtomicReference<>();
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("HUP"), s -> reloadOnSignal(running.get()));
        Daemon daemon;
        try {
            daemon = Daemon.start(site);
        } catch (DaemonException e) {
            spec.commandLine().getErr().println("ocbridge up: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        running.set(daemon);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            daemon.close();
        }
        return Main.EXIT_OK;
    }

    /** SIGHUP: reload on a new platform thread (the daemon logs the outcome); before the daemon is up, ignored. */
    private static void reloadOnSignal(Daemon daemon) {
        Log log = Log.with("signal=hup");
        if (daemon == null) {
            log.warn("reload-ignored", "reason=daemon-starting");
            return;
        }
        Thread.ofPlatform().name("ocb-reload").daemon(true).start(daemon::reload);
    }
}
