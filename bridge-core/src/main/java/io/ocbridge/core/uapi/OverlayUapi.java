package io.ocbridge.core.uapi;

import io.netty.channel.EventLoop;
import io.ocbridge.core.device.LinkConfigurator;
import io.ocbridge.core.device.RouteSync;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.overlay.Overlay;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.route.Cidr;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Serves one running {@link Overlay} over the UAPI. Reads and changes run as one task on the overlay's event loop
 * (its single writer), waited for with a bound; routes for prefixes that appear or go are then changed off the
 * loop. Changes are runtime-only, as {@code wg set} on a kernel interface: the config file is not rewritten.
 * The private key and listen port cannot change at runtime; setting them to their current values is accepted.
 * {@code fwmark} changes the live socket's mark, through {@link SocketMark}, which may refuse it.
 */
public final class OverlayUapi implements UapiDevice {
    static final long LOOP_WAIT_MILLIS = 2_000;

    private final Overlay overlay;
    private final LocalIdentity identity;
    private final EventLoop loop;
    private final String device;
    private final int listenPort;
    private final SocketMark mark;
    private final LinkConfigurator link;
    private final Log log;

    /** The overlay socket's mark, read and set on the event loop. */
    public interface SocketMark {
        long get();

        /** Sets {@code mark} (0: none) or refuses it, saying why. */
        void set(long mark) throws UapiException;
    }

    public OverlayUapi(Overlay overlay, LocalIdentity identity, EventLoop loop, String device, int listenPort,
            SocketMark mark, LinkConfigurator link, Log log) {
        this.overlay = overlay;
        this.identity = identity;
        this.loop = loop;
        this.device = device;
        this.listenPort = listenPort;
        this.mark = mark;
        this.link = link;
        this.log = log;
    }

    @Override
    public DeviceState get(boolean withSecrets) throws UapiException {
        return onLoop(() -> capture(withSecrets));
    }

    /** Event loop only. */
    private DeviceState capture(boolean withSecrets) {
        byte[] privateKey = null;
        if (withSecrets) {
            privateKey = new byte[32];
            identity.copyPrivateKeyTo(privateKey, 0);
        }
        List<DeviceState.PeerState> peers = new ArrayList<>(overlay.peers().size());
        Map<Peer, List<Cidr>> prefixes = overlay.allowedIps().prefixesByOwner();
        for (Peer peer : overlay.peers()) {
            byte[] psk = null;
            if (withSecrets) {
                psk = new byte[32];
                peer.handshake().copyPresharedKeyTo(psk, 0);
            }
            peers.add(new DeviceState.PeerState(peer.publicKey().bytes(), psk,
                    peer.endpoint() == null ? null : Log.endpoint(peer.endpoint()), peer.lastHandshakeEpochMillis(),
                    peer.txBytes(), peer.rxBytes(), peer.persistentKeepaliveSeconds(),
                    prefixes.getOrDefault(peer, List.of())));
        }
        return new DeviceState(privateKey, listenPort, mark.get(), peers);
    }

    @Override
    public void set(SetRequest request) throws UapiException {
        checkDevice(request.device());
        Applied applied = onLoop(() -> apply(request));
        for (String line : applied.logLines()) {
            int space = line.indexOf(' ');
            log.info(line.substring(0, space), line.substring(space + 1));
        }
        syncRoutes(applied.routesBefore(), applied.routesAfter());
        if (applied.error() != null) {
            throw applied.error();
        }
    }

    /** What a set did on the loop: log lines ("event fields"), routed prefixes around it, and a refusal if any. */
    private record Applied(List<String> logLines, Set<Cidr> routesBefore, Set<Cidr> routesAfter, UapiException error) {}

    private void checkDevice(SetRequest.DeviceChange change) throws UapiException {
        if (change.privateKey() != null) {
            byte[] ours = new byte[32];
            identity.copyPrivateKeyTo(ours, 0);
            boolean same = MessageDigest.isEqual(ours, change.privateKey());
            Arrays.fill(ours, (byte) 0);
            if (!same) {
                throw new UapiException(UapiException.EINVAL, "private_key cannot change at runtime");
            }
        }
        if (change.listenPort() != null && change.listenPort() != listenPort) {
            throw new UapiException(UapiException.EINVAL, "listen_port cannot change at runtime");
        }
    }

    /**
     * Event loop only. Applies the peer sections in order; the first refusal stops it, keeping what was already
     * applied (as wireguard-go does).
     */
    private Applied apply(SetRequest request) {
        List<String> logs = new ArrayList<>();
        Set<Cidr> before = routedPrefixes();
        UapiException error = null;
        try {
            Integer fwmark = request.device().fwmark();
            if (fwmark != null && Integer.toUnsignedLong(fwmark) != mark.get()) {
                mark.set(Integer.toUnsignedLong(fwmark));
                logs.add("fwmark-set fwmark=" + Integer.toUnsignedLong(fwmark) + " source=uapi");
            }
            if (request.device().replacePeers()) {
                replacePeers(request, logs);
            }
            for (SetRequest.PeerChange change : request.peers()) {
                applyPeer(change, logs);
            }
        } catch (UapiException e) {
            error = e;
        }
        return new Applied(logs, before, routedPrefixes(), error);
    }

    /** {@code replace_peers}: peers the request does not name go; named ones are updated, keeping their sessions. */
    private void replacePeers(SetRequest request, List<String> logs) throws UapiException {
        Set<PublicKey> named = new HashSet<>();
        for (SetRequest.PeerChange change : request.peers()) {
            named.add(PublicKey.fromBytes(change.publicKey(), 0));
        }
        for (Peer peer : List.copyOf(overlay.peers())) {
            if (!named.contains(peer.publicKey())) {
                remove(peer, logs);
            }
        }
    }

    private void applyPeer(SetRequest.PeerChange change, List<String> logs) throws UapiException {
        PublicKey key = PublicKey.fromBytes(change.publicKey(), 0);
        if (key.equals(identity.publicKey())) {
            return; // our own key: ignored, as wireguard-go does
        }
        Peer peer = find(key);
        if (change.remove()) {
            if (peer != null) {
                remove(peer, logs);
            }
            return;
        }
        if (peer == null) {
            if (!change.updateOnly()) {
                add(key, change, logs);
            }
            return;
        }
        List<String> fields = new ArrayList<>();
        if (change.presharedKey() != null) {
            PresharedKey psk = PresharedKey.fromBytes(change.presharedKey(), 0);
            peer.handshake().presharedKey(psk);
            psk.destroy();
            fields.add("preshared-key");
        }
        if (change.endpoint() != null && !change.endpoint().equals(peer.endpoint())) {
            peer.endpoint(change.endpoint());
            fields.add("endpoint");
        }
        if (change.persistentKeepaliveSeconds() != null
                && change.persistentKeepaliveSeconds() != peer.persistentKeepaliveSeconds()) {
            overlay.persistentKeepalive(peer, change.persistentKeepaliveSeconds());
            fields.add("persistent-keepalive");
        }
        List<Cidr> current = overlay.allowedIps().prefixesOf(peer);
        List<Cidr> next = allowedIps(change, current);
        if (!new HashSet<>(next).equals(new HashSet<>(current))) {
            overlay.replaceAllowedIps(peer, next);
            fields.add("allowed-ips");
        }
        if (!fields.isEmpty()) {
            logs.add("peer-updated peer=" + peer.name() + " source=uapi fields=" + String.join(",", fields));
        }
    }

    private static List<Cidr> allowedIps(SetRequest.PeerChange change, List<Cidr> current) {
        Set<Cidr> next = new LinkedHashSet<>(change.replaceAllowedIps() ? List.of() : current);
        next.addAll(change.addAllowedIps());
        next.removeAll(change.removeAllowedIps());
        return List.copyOf(next);
    }

    private void add(PublicKey key, SetRequest.PeerChange change, List<String> logs) throws UapiException {
        PresharedKey psk = change.presharedKey() != null
                ? PresharedKey.fromBytes(change.presharedKey(), 0) : PresharedKey.zero();
        String name = nameFor(key);
        List<Cidr> allowed = allowedIps(change, List.of());
        try {
            overlay.addPeer(name, key, psk, change.endpoint(), allowed,
                    change.persistentKeepaliveSeconds() == null ? 0 : change.persistentKeepaliveSeconds());
        } catch (IllegalArgumentException e) {
            throw new UapiException(UapiException.EINVAL, "peer not added: " + e.getMessage());
        } finally {
            psk.destroy();
        }
        logs.add("peer-added peer=" + name + " source=uapi endpoint=" + Log.endpoint(change.endpoint())
                + " allowed-ips=" + allowed.size());
    }

    private void remove(Peer peer, List<String> logs) throws UapiException {
        try {
            overlay.removePeer(peer);
        } catch (IllegalStateException e) {
            throw new UapiException(UapiException.EBUSY, "peer " + peer.name() + " not removed: " + e.getMessage());
        }
        logs.add("peer-removed peer=" + peer.name() + " source=uapi");
    }

    private Peer find(PublicKey key) {
        for (Peer peer : overlay.peers()) {
            if (peer.publicKey().equals(key)) {
                return peer;
            }
        }
        return null;
    }

    /** A peer added over the UAPI is named {@code wg-} and the start of its key in hex, long enough to be unique. */
    private String nameFor(PublicKey key) {
        String hex = HexFormat.of().formatHex(key.bytes());
        for (int length = 8; ; length += 8) {
            String name = "wg-" + hex.substring(0, Math.min(length, hex.length()));
            if (overlay.peer(name) == null || length >= hex.length()) {
                return name;
            }
        }
    }

    /** Every prefix routed through the device: all peers' allowed-ips but default routes. Event loop only. */
    private Set<Cidr> routedPrefixes() {
        Set<Cidr> prefixes = new LinkedHashSet<>();
        for (List<Cidr> owned : overlay.allowedIps().prefixesByOwner().values()) {
            for (Cidr prefix : owned) {
                if (prefix.prefixLength() != 0) {
                    prefixes.add(prefix.masked());
                }
            }
        }
        return prefixes;
    }

    private void syncRoutes(Set<Cidr> before, Set<Cidr> after) {
        RouteSync.apply(link, device, before, after, log);
    }

    private <T> T onLoop(Callable<T> task) throws UapiException {
        try {
            return loop.submit(task).get(LOOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UapiException(UapiException.EIO, "interrupted");
        } catch (TimeoutException e) {
            throw new UapiException(UapiException.EIO, "overlay " + overlay.name() + " did not answer within "
                    + LOOP_WAIT_MILLIS + " ms");
        } catch (ExecutionException e) {
            throw new UapiException(UapiException.EIO, "overlay " + overlay.name() + ": " + e.getCause());
        }
    }
}
