package io.ocbridge.core.daemon;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.ocbridge.core.config.KeyFiles;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.SegmentConfig;
import io.ocbridge.core.device.LinkConfigurator;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.PacketLayout;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.transport.UdpTransport;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One overlay brought up for real: its TUN device (address, MTU, routes), its UDP socket, the
 * device reader thread and the timer tick. {@link #close()} undoes all of it.
 */
final class OverlayRuntime implements AutoCloseable {
    private static final long TICK_MILLIS = 100;

    private final OverlayConfig config;
    private final TunDevice device;
    private final Overlay overlay;
    private final EventLoop loop;
    private final Log log;
    private final LinkConfigurator link = LinkConfigurator.current();
    private final List<SegmentRuntime> segments = new ArrayList<>();
    private UdpTransport udp;
    private DeviceReader reader;
    private Thread readerThread;
    private ScheduledFuture<?> tick;

    private OverlayRuntime(OverlayConfig config, TunDevice device, Overlay overlay, EventLoop loop, Log log) {
        this.config = config;
        this.device = device;
        this.overlay = overlay;
        this.loop = loop;
        this.log = log;
    }

    static OverlayRuntime start(OverlayConfig config, LocalIdentity identity, EventLoop loop, Log siteLog)
            throws DaemonException {
        Log log = siteLog.child("overlay=" + config.name());
        TunDevice device;
        try {
            device = TunDevice.openTun(config.device());
        } catch (IOException e) {
            throw new DaemonException("overlay " + config.name() + ": cannot create TUN device " + config.device()
                    + ": " + e.getMessage(), e);
        }
        TunOverlayIo io = new TunOverlayIo(device, PooledByteBufAllocator.DEFAULT);
        Overlay overlay = new Overlay(config.name(), config.mtu(), identity, io, System::nanoTime,
                Clock.systemUTC(), log);
        OverlayRuntime runtime = new OverlayRuntime(config, device, overlay, loop, log);
        try {
            runtime.configureLink();
            for (PeerConfig peer : config.peers()) {
                runtime.addPeer(peer);
            }
            for (SegmentConfig segment : config.segments()) {
                runtime.segments.add(SegmentRuntime.create(segment, config, overlay, runtime.link, log));
            }
            runtime.udp = UdpTransport.bind(loop, config.listenPort(),
                    (content, sender) -> overlay.outside().onDatagram(content, sender), io::flush);
            io.attach(runtime.udp);
            runtime.addRoutes();
            runtime.reader = new DeviceReader(device, loop, overlay.inside()::onDevicePacket, io::flush,
                    PooledByteBufAllocator.DEFAULT, PacketLayout.HEADROOM, config.mtu(), PacketLayout.TAILROOM, log);
            runtime.readerThread = Thread.ofPlatform().name("ocb-tun-" + config.device()).daemon(true)
                    .start(runtime.reader);
            for (SegmentRuntime segment : runtime.segments) {
                segment.startReader(loop, io);
            }
            runtime.tick = loop.scheduleAtFixedRate(overlay::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            loop.execute(overlay::start);
        } catch (DaemonException e) {
            runtime.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            runtime.close();
            throw new DaemonException("overlay " + config.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runtime.close();
            throw new DaemonException("overlay " + config.name() + ": interrupted while starting", e);
        }
        log.info("overlay-up", "device=" + device.name() + " listen-port=" + runtime.udp.localPort()
                + " peers=" + config.peers().size());
        return runtime;
    }

    private void configureLink() throws IOException {
        String name = device.name();
        link.setMtu(name, config.mtu());
        for (Cidr address : config.addresses()) {
            link.addAddress(name, address);
        }
        link.setUp(name);
    }

    private void addPeer(PeerConfig peer) throws DaemonException {
        PublicKey publicKey;
        PresharedKey psk = PresharedKey.zero();
        try {
            publicKey = PublicKey.fromBase64(peer.publicKey());
            if (peer.presharedKeyFile() != null) {
                psk = PresharedKey.fromBase64(KeyFiles.readSecret(peer.presharedKeyFile()).trim());
            }
        } catch (KeyFormatException | IOException e) {
            throw new DaemonException("overlay " + config.name() + " peer " + peer.name() + ": " + e.getMessage(), e);
        }
        InetSocketAddress endpoint = null;
        if (peer.endpoint() != null) {
            try {
                endpoint = new InetSocketAddress(InetAddress.getByName(peer.endpoint().host()), peer.endpoint().port());
            } catch (UnknownHostException e) {
                throw new DaemonException("overlay " + config.name() + " peer " + peer.name()
                        + ": cannot resolve endpoint " + peer.endpoint());
            }
        }
        overlay.addPeer(peer.name(), publicKey, psk, endpoint, peer.allowedIps(), peer.persistentKeepaliveSeconds());
    }

    /** A route per allowed-ips prefix through the device; default routes are left to the operator. */
    private void addRoutes() throws IOException {
        for (PeerConfig peer : config.peers()) {
            for (Cidr prefix : peer.allowedIps()) {
                if (prefix.prefixLength() == 0) {
                    log.warn("route-skipped", "peer=" + peer.name() + " prefix=" + prefix
                            + " reason=default-route-not-installed");
                    continue;
                }
                link.addRoute(device.name(), prefix.masked());
            }
        }
    }

    Overlay overlay() {
        return overlay;
    }

    EventLoop loop() { return loop; }                 // control plane: status snapshots run on the loop
    String deviceName() { return device.name(); }
    int listenPort() { return udp.localPort(); }

    @Override
    public void close() {
        if (reader != null) {
            reader.stop();
        }
        if (tick != null) {
            tick.cancel(false);
        }
        if (readerThread != null) {
            try {
                readerThread.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SegmentRuntime segment : segments) {
            segment.close();
        }
        if (!loop.isShuttingDown()) {
            loop.submit(overlay::close).awaitUninterruptibly(2_000);
        }
        if (udp != null) {
            udp.close();
        }
        String name = device.name();
        device.close();
        try {
            // Closing the last descriptor removes a non-persistent TUN and its routes; this covers the rest.
            if (link.linkExists(name)) {
                link.deleteLink(name);
            }
        } catch (IOException e) {
            log.warn("device-cleanup-failed", "device=" + name + " error=" + e.getMessage());
        }
        log.info("overlay-down", "device=" + name);
    }
}
