package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plays systemd for a {@code Type=notify} unit: binds a Unix datagram socket, starts the daemon with
 * {@code NOTIFY_SOCKET} pointing at it, and checks that {@code READY=1} comes only once the TUN device exists, that a
 * reload is framed by {@code RELOADING=1} and {@code READY=1}, and that SIGTERM brings {@code STOPPING=1}.
 */
@ExtendWith(TailLogsOnFailure.class)
@Timeout(120)
class SystemdNotifyTest extends LabTest<Topology> {
    /** A notification, with whether the daemon's device existed the moment it arrived. */
    record Notification(String state, boolean deviceExisted) {}

    private EventLoopGroup group;
    private Channel socket;

    @BeforeEach
    void up(TestInfo test) {
        TestHost.assumeNetnsCapable();
        Assumptions.assumeTrue(System.getProperty("ocbridge.it.launcher", "").isBlank(), "sd_notify is ocbridge's own");
        net = Topology.create(getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void down() {
        if (socket != null) {
            socket.close().awaitUninterruptibly(2_000);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }

    @Test
    void readyOnlyOnceTheDeviceExistsReloadingAroundReloadsStoppingOnSigterm() throws Exception {
        Site a = Site.a(net, Keys.generate());
        Site b = Site.b(net, Keys.generate());
        String device = net.deviceName("a");
        Path config = SiteConfig.write(net.workDir().resolve(a.name()), a, device, b.asPeer().withEndpoint(b.endpoint()));
        Path notify = net.workDir().resolve("notify.sock");
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        socket = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        String state = packet.content().toString(StandardCharsets.UTF_8);
                        // Checked right here, before the next datagram is read: the device at the moment READY came.
                        boolean exists = net.gwA.ip("link", "show", "dev", device).exitCode() == 0;
                        received.add(new Notification(state, exists));
                    }
                })
                .bind(new DomainSocketAddress(notify.toString())).sync().channel();

        Background daemon = net.start(net.gwA, "ocbridge-site-a", Map.of("NOTIFY_SOCKET", notify.toString()),
                List.of(OcbridgeDaemon.launcher().toString(), "up", "-c", config.toString()));
        Notification ready = received.poll(OcbridgeDaemon.READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(ready, "no notification within " + OcbridgeDaemon.READY_TIMEOUT + ":\n" + daemon.logText());
        assertTrue(ready.state().startsWith("READY=1\n") && ready.state().contains("STATUS=site site-a: 1 overlays"),
                ready.state());
        assertTrue(ready.deviceExisted(), "READY=1 came before " + device + " existed");
        assertTrue(net.gwA.ip("-o", "addr", "show", "dev", device).output().contains(a.overlayCidr()),
                "READY=1 before the overlay address");

        assertEquals(0, Cmd.run("kill", "-HUP", Long.toString(daemon.pid())).exitCode());
        Notification reloading = received.poll(10, TimeUnit.SECONDS);
        Notification readyAgain = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(readyAgain, "reload notifications: " + reloading);
        assertTrue(reloading.state().startsWith("RELOADING=1\nMONOTONIC_USEC="), reloading.state());
        assertTrue(readyAgain.state().startsWith("READY=1"), readyAgain.state());

        assertTrue(daemon.terminate(Background.STOP_GRACE).isPresent(), "no exit on SIGTERM");
        Notification stopping = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(stopping, "no STOPPING=1");
        assertEquals("STOPPING=1", stopping.state());
        System.out.println("[ocbridge] sd_notify: " + List.of(ready.state().lines().toList(), reloading.state().lines().findFirst().orElseThrow(), stopping.state()));
    }
}
