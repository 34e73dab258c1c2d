package io.ocbridge.core.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.ocbridge.core.config.OverlayConfig;
import io.ocbridge.core.config.PeerConfig;
import io.ocbridge.core.config.SegmentConfig;
import io.ocbridge.core.device.DeviceReader;
import io.ocbridge.core.device.DeviceWriter;
import io.ocbridge.core.device.LinkConfigurator;
import io.ocbridge.core.device.TunDevice;
import io.ocbridge.core.ip.MssClamp;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentCounters;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.overlay.OverlayIo;
import io.ocbridge.core.overlay.PacketLayout;
import io.ocbridge.core.packet.Ethernet;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One L2 segment brought up for real: its TAP device (MTU 1500, up, optionally enslaved into an
 * existing bridge), the {@link Segment} switch registered with its overlay, and the TAP reader
 * thread. {@link #close()} removes the TAP.
 */
final class SegmentRuntime implements AutoCloseable {
    /** LAN hosts use 1500; the tunnel carries that by fragmenting the VXLAN packet when needed. */
    private static final int TAP_MTU = 1500;

    private final SegmentConfig config;
    private final TunDevice tap;
    private final Log log;
    private Segment segment;
    private final DeviceWriter tapWriter;
    private DeviceReader reader;
    private EventLoop loop;

    private SegmentRuntime(SegmentConfig config, TunDevice tap, Log log) {
        this.config = config;
        this.tap = tap;
        this.log = log;
        this.tapWriter = new DeviceWriter(tap, PooledByteBufAllocator.DEFAULT,
                () -> segment.counters().increment(SegmentCounters.Event.DROP_DEVICE));
    }

    /** Creates the TAP and the switch and registers it with {@code overlay}; call before the overlay's socket is bound. */
    static SegmentRuntime create(SegmentConfig config, OverlayConfig overlayConfig, Overlay overlay, LinkConfigurator link,
            Log overlayLog) throws DaemonException {
        Log log = overlayLog.child("segment=" + config.name());
        if (config.bridge() != null) {
            try {
                if (!link.linkExists(config.bridge())) {
                    throw new DaemonException("segment " + config.name() + ": bridge " + config.bridge()
                            + " does not exist; create it first (ip link add " + config.bridge() + " type bridge)");
                }
            } catch (IOException e) {
                throw new DaemonException("segment " + config.name() + ": " + e.getMessage(), e);
            }
        }
        TunDevice tap;
        try {
            tap = Offloads.DEVICE ? TunDevice.openTapWithOffloads(config.device()) : TunDevice.openTap(config.device());
        } catch (IOException e) {
            throw new DaemonException("segment " + config.name() + ": cannot create TAP device " + config.device()
                    + ": " + e.getMessage(), e);
        }
        SegmentRuntime runtime = new SegmentRuntime(config, tap, log);
        try {
            link.setMtu(tap.name(), TAP_MTU);
            if (config.bridge() != null) {
                link.setMaster(tap.name(), config.bridge());
            }
            link.setUp(tap.name());
        } catch (IOException e) {
            runtime.close();
            throw new DaemonException("segment " + config.name() + ": " + e.getMessage(), e);
        }
        List<Segment.Member> members = new ArrayList<>();
        for (PeerConfig peerConfig : overlayConfig.peers()) {
            if (config.peers().isEmpty() || config.peers().contains(peerConfig.name())) {
                Peer peer = overlay.peer(peerConfig.name());
                members.add(new Segment.Member(peer, ipv4(peerConfig.effectiveVtep())));
            }
        }
        int mtu = overlayConfig.mtu();
        int mssV4 = switch (config.mssClamp()) {
            case SegmentConfig.MSS_AUTO -> MssClamp.autoMssV4(mtu);
            case SegmentConfig.MSS_OFF -> 0;
            default -> config.mssClamp();
        };
        int mssV6 = switch (config.mssClamp()) {
            case SegmentConfig.MSS_AUTO -> MssClamp.autoMssV6(mtu);
            case SegmentConfig.MSS_OFF -> 0;
            default -> config.mssClamp();
        };
        int localVtep = ipv4(overlayConfig.vtep());
        SegmentSpec spec = new SegmentSpec(config.name(), config.device(), config.vni(), localVtep, mtu, mssV4, mssV6,
                config.macTableSize(), config.macAgingSeconds() * 1_000_000_000L, options(config));
        Segment segment = new Segment(spec, members, overlay.inside()::sendToPeer, runtime.tapWriter::write,
                PooledByteBufAllocator.DEFAULT, System::nanoTime, log);
        overlay.addSegment(segment, localVtep);
        runtime.segment = segment;
        return runtime;
    }

    static SegmentOptions options(SegmentConfig config) {
        return new SegmentOptions(config.relay(), config.floodLimit(), config.arpSuppression(),
                config.dhcp() == SegmentConfig.DhcpPolicy.BLOCK, config.macFlapLimit(),
                config.macFlapHoldSeconds() * 1_000_000_000L);
    }

    /** End of a receive burst (event loop): frames held for merging go to the TAP. */
    void flushDevice() {
        tapWriter.flush();
    }

    /** Starts reading the TAP; frames go to the segment on {@code loop}. */
    void startReader(EventLoop loop, OverlayIo io) {
        reader = new DeviceReader(tap, segment::onLocalFrame, io::flush, PooledByteBufAllocator.DEFAULT,
                Segment.FRAME_HEADROOM, Ethernet.MAX_FRAME_BYTES, PacketLayout.TAILROOM, log);
        reader.attach(loop);
        this.loop = loop;
        log.info("segment-up", "device=" + tap.name() + " vni=" + config.vni()
                + (config.bridge() != null ? " bridge=" + config.bridge() : "")
                + " members=" + segment.members().size() + (config.relay() ? " relay=true" : "")
                + " flood-limit=" + config.floodLimit() + " arp-suppression=" + config.arpSuppression()
                + " dhcp=" + config.dhcp().name().toLowerCase(java.util.Locale.ROOT));
    }

    private static int ipv4(Cidr address) {
        return (int) (address.high() >>> 32);
    }

    /** Stops the reader and removes the TAP (closing its last descriptor deletes it). */
    @Override
    public void close() {
        if (reader != null) {
            reader.detach(loop);
        }
        tap.close();
        log.info("segment-down", "device=" + config.device());
    }
}
