package io.ocbridge.core.daemon;

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
import java.util.Locale;
import java.util.Set;

/**
 * One L2 segment brought up for real: its TAP device (MTU 1500, up, optionally enslaved into an
 * existing bridge), the {@link Segment} switch registered with its overlay, and the TAP reader.
 *
 * <p>Life cycle, as a start or a reload drives it: {@link #open} (control thread: the TAP and its links),
 * {@link #attach} (event loop, or before the overlay starts: the switch joins the overlay), {@link #startReader};
 * while it runs, {@link #withdraw} and {@link #reconfigure} (event loop) and {@link #moveToBridge} (control thread);
 * at the end {@link #detach} (event loop: nothing reaches it any more) and {@link #close} (the TAP is deleted).
 */
final class SegmentRuntime implements AutoCloseable {
    /** LAN hosts use 1500; the tunnel carries that by fragmenting the VXLAN packet when needed. */
    private static final int TAP_MTU = 1500;

    /** What runs: written by the control thread and by the event loop's reconfigure, read by both. */
    private volatile SegmentConfig config;
    private final TunDevice tap;
    private final LinkConfigurator link;
    private final Log log;
    /** Set by {@link #attach}; event loop after that. */
    private Segment segment;
    private final DeviceWriter tapWriter;
    private DeviceReader reader;
    private EventLoop loop;

    private SegmentRuntime(SegmentConfig config, TunDevice tap, LinkConfigurator link, Log log) {
        this.config = config;
        this.tap = tap;
        this.link = link;
        this.log = log;
        this.tapWriter = new DeviceWriter(tap, PooledByteBufAllocator.DEFAULT,
                () -> segment.counters().increment(SegmentCounters.Event.DROP_DEVICE));
    }

    /**
     * Creates the TAP (MTU 1500, in its bridge, up); nothing touches the overlay yet, so a failure leaves it as it was.
     * Control thread.
     */
    static SegmentRuntime open(SegmentConfig config, LinkConfigurator link, Log overlayLog) throws DaemonException {
        Log log = overlayLog.child("segment=" + config.name());
        checkBridge(config.name(), config.bridge(), link);
        TunDevice tap;
        try {
            tap = Offloads.DEVICE ? TunDevice.openTapWithOffloads(config.device()) : TunDevice.openTap(config.device());
        } catch (IOException e) {
            throw new DaemonException("segment " + config.name() + ": cannot create TAP device " + config.device()
                    + ": " + e.getMessage(), e);
        }
        SegmentRuntime runtime = new SegmentRuntime(config, tap, link, log);
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
        return runtime;
    }

    private static void checkBridge(String segment, String bridge, LinkConfigurator link) throws DaemonException {
        if (bridge == null) {
            return;
        }
        try {
            if (!link.linkExists(bridge)) {
                throw new DaemonException("segment " + segment + ": bridge " + bridge
                        + " does not exist; create it first (ip link add " + bridge + " type bridge)");
            }
        } catch (IOException e) {
            throw new DaemonException("segment " + segment + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the switch, its members the overlay's running peers that {@code overlayConfig} puts on the segment, and
     * adds it to {@code overlay} (in standby on a standby). Event loop, or before the overlay starts.
     */
    void attach(OverlayConfig overlayConfig, Overlay overlay) {
        SegmentConfig config = this.config;
        int localVtep = ipv4(overlayConfig.vtep());
        segment = new Segment(spec(config, overlayConfig), members(config, overlayConfig, overlay),
                overlay.inside()::sendToPeer, tapWriter::write, PooledByteBufAllocator.DEFAULT, System::nanoTime, log);
        overlay.addSegment(segment, localVtep);
    }

    /**
     * Takes the peers named in {@code leaving} off the segment, so the overlay may remove them; {@link #reconfigure}
     * puts back those that are still (or again) members. Event loop.
     */
    void withdraw(Set<String> leaving) {
        List<Segment.Member> staying = new ArrayList<>();
        for (Segment.Member member : segment.members()) {
            if (!leaving.contains(member.peer().name())) {
                staying.add(member);
            }
        }
        if (staying.size() != segment.members().size()) {
            segment.reconfigure(segment.spec(), staying);
        }
    }

    /**
     * Applies {@code next} (same VNI and device) and the members {@code overlayConfig} gives it among the running peers,
     * in place (see {@link Segment#reconfigure}); nothing happens when neither changed. Event loop.
     */
    void reconfigure(SegmentConfig next, OverlayConfig overlayConfig, Overlay overlay) {
        SegmentSpec spec = spec(next, overlayConfig);
        List<Segment.Member> members = members(next, overlayConfig, overlay);
        if (!spec.equals(segment.spec()) || !members.equals(segment.members())) {
            segment.reconfigure(spec, members);
        }
        config = next;
    }

    /** The TAP goes into {@code bridge} (or out of its bridge, when null). Control thread. */
    void moveToBridge(String bridge) throws DaemonException {
        SegmentConfig running = config;
        checkBridge(running.name(), bridge, link);
        try {
            if (bridge != null) {
                link.setMaster(tap.name(), bridge);  // from one bridge to another in one step
            } else {
                link.setNoMaster(tap.name());
            }
        } catch (IOException e) {
            throw new DaemonException("segment " + running.name() + ": " + e.getMessage(), e);
        }
    }

    /** The members of {@code config}'s segment among the overlay's running peers (a refused peer is not running). */
    private static List<Segment.Member> members(SegmentConfig config, OverlayConfig overlayConfig, Overlay overlay) {
        List<Segment.Member> members = new ArrayList<>();
        for (PeerConfig peerConfig : overlayConfig.peers()) {
            if (config.peers().isEmpty() || config.peers().contains(peerConfig.name())) {
                Peer peer = overlay.peer(peerConfig.name());
                if (peer != null) {
                    members.add(new Segment.Member(peer, ipv4(peerConfig.effectiveVtep())));
                }
            }
        }
        return members;
    }

    private static SegmentSpec spec(SegmentConfig config, OverlayConfig overlayConfig) {
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
        return new SegmentSpec(config.name(), config.device(), config.vni(), ipv4(overlayConfig.vtep()), mtu, mssV4,
                mssV6, config.macTableSize(), config.macAgingSeconds() * 1_000_000_000L, options(config));
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

    /** Starts reading the TAP; frames go to the segment on {@code loop}. After {@link #attach}. */
    void startReader(EventLoop loop, OverlayIo io) {
        reader = new DeviceReader(tap, segment::onLocalFrame, io::flush, PooledByteBufAllocator.DEFAULT,
                Segment.FRAME_HEADROOM, Ethernet.MAX_FRAME_BYTES, PacketLayout.TAILROOM, log);
        this.loop = loop;
        reader.attach(loop);
        SegmentConfig config = this.config;
        log.info("segment-up", "device=" + tap.name() + " vni=" + config.vni()
                + (config.bridge() != null ? " bridge=" + config.bridge() : "")
                + " members=" + segment.members().size() + (config.relay() ? " relay=true" : "")
                + " flood-limit=" + config.floodLimit() + " arp-suppression=" + config.arpSuppression()
                + " dhcp=" + config.dhcp().name().toLowerCase(Locale.ROOT));
    }

    /**
     * The segment leaves {@code overlay} (a reload removed or re-creates it): its VNI is unknown from now on, its TAP
     * is no longer read (the reader's buffer released) and frames held for the TAP are written out. Event loop; the
     * TAP itself goes with {@link #close}.
     */
    void detach(Overlay overlay) {
        overlay.removeSegment(segment);
        if (reader != null) {
            reader.detach(loop);  // on the loop: at once
            reader = null;
        }
        tapWriter.flush();
    }

    SegmentConfig config() {
        return config;
    }

    String deviceName() {
        return tap.name();
    }

    private static int ipv4(Cidr address) {
        return (int) (address.high() >>> 32);
    }

    /** Stops the reader and removes the TAP (closing its last descriptor deletes it). */
    @Override
    public void close() {
        if (reader != null) {
            reader.detach(loop);
            reader = null;
        }
        tap.close();
        log.info("segment-down", "device=" + config.device());
    }
}
