package io.ocbridge.core.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.SiteConfig;
import io.ocbridge.core.log.Log;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ocbridge daemon for one site: every overlay of the site config, up until {@link #close()}.
 *
 * <p><b>Threads — who touches what.</b>
 * <ul>
 *   <li>One Netty epoll event loop owns the UDP sockets and all overlay state: peers, sessions,
 *       index tables, timers (a 100 ms tick on the same loop), staged packets. Single writer, no locks.
 *       Handshakes (X25519, BLAKE2s) also run there; past {@code UNDER_LOAD_HANDSHAKES_PER_SECOND}
 *       initiators must present cookies.</li>
 *   <li>One platform thread per overlay reads its TUN device into pooled direct buffers and
 *       hands bursts to the event loop; it touches no overlay state.</li>
 *   <li>One platform thread accepts on the control socket ({@link ControlPlane}), a virtual thread serves each
 *       connection; they read overlay state only as snapshots taken on the event loop. Metrics have one HTTP
 *       thread that reads the counters below.</li>
 *   <li>The caller's thread starts and stops the daemon. Counters (peer rx/tx, drops) are readable
 *       from any thread.</li>
 * </ul>
 */
public final class Daemon implements AutoCloseable {
    private final SiteConfig config;
    private final Log log;
    private final EventLoopGroup group;
    private final List<OverlayRuntime> overlays = new ArrayList<>();
    private ControlPlane controlPlane;

    private Daemon(SiteConfig config, Log log, EventLoopGroup group) {
        this.config = config;
        this.log = log;
        this.group = group;
    }

    /** Brings every overlay up; on failure, tears down what was started and throws. */
    public static Daemon start(SiteConfig config) throws DaemonException {
        Log log = Log.with("site=" + config.site());
        if (!Epoll.isAvailable()) {
            throw new DaemonException("native epoll transport unavailable: " + Epoll.unavailabilityCause());
        }
        LocalIdentity identity = loadIdentity(config);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Daemon daemon = new Daemon(config, log, group);
        try {
            for (OverlayConfig overlay : config.overlays()) {
                daemon.overlays.add(OverlayRuntime.start(overlay, identity, group.next(), log));
            }
            daemon.controlPlane = ControlPlane.start(config, daemon.overlays, log);
        } catch (DaemonException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        log.info("daemon-up", "overlays=" + config.overlays().size());
        return daemon;
    }

    private static LocalIdentity loadIdentity(SiteConfig config) throws DaemonException {
        try {
            String encoded = KeyFiles.readSecret(config.privateKeyFile()).trim();
            return new LocalIdentity(PrivateKey.fromBase64(encoded));
        } catch (IOException | KeyFormatException e) {
            throw new DaemonException("private-key-file " + config.privateKeyFile() + ": " + e.getMessage(), e);
        }
    }

    public SiteConfig config() {
        return config;
    }

    /** Stops every overlay (devices and routes removed, keys zeroed) and the event loop. */
    @Override
    public void close() {
        if (controlPlane != null) {
            controlPlane.close();
        }
        for (int i = overlays.size() - 1; i >= 0; i--) {
            overlays.get(i).close();
        }
        overlays.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        log.info("daemon-down", "");
    }
}
