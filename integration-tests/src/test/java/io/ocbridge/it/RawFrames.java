package io.ocbridge.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.testing.Frames;
import io.ocbridge.core.testing.Ipv4Packets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-made Ethernet frames sent and seen with AF_PACKET raw sockets (python3) inside a namespace: frames no socket
 * API would build (odd DHCP source ports, IPv6 extension headers, 802.1Q and 802.1ad tags; this kernel has no 8021q
 * module, so no VLAN sub-interface could send them). Each frame carries {@link #MAGIC} and a label in its UDP
 * payload; the sniffer counts frames per label. Both sides are bounded in time and count.
 */
final class RawFrames {
    static final byte[] MAGIC = "OCBRAW01".getBytes(StandardCharsets.US_ASCII);
    static final int LABEL_BYTES = 16;
    static final long BROADCAST = 0xffff_ffff_ffffL;
    /** A locally administered source MAC. */
    static final long SOURCE_MAC = 0x0200_5ecb_0001L;
    static final int TYPE_VLAN = 0x8100;
    static final int TYPE_QINQ = 0x88a8;

    private static final Pattern SEEN = Pattern.compile("SEEN(.*)");
    private static final String SCRIPT = """
            # ocbridge integration tests: send or count labelled raw Ethernet frames on one device (AF_PACKET).
            import select, socket, sys, time
            MAGIC = b'OCBRAW01'
            ETH_P_ALL = 3
            def sniff(dev, seconds):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
                s.bind((dev, 0))
                print('READY', flush=True)
                counts = {}
                deadline = time.monotonic() + float(seconds)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    if not select.select([s], [], [], min(left, 0.2))[0]:
                        continue
                    frame, addr = s.recvfrom(65535)
                    at = frame.find(MAGIC)
                    if addr[2] == socket.PACKET_OUTGOING or at < 0:
                        continue
                    label = frame[at + 8:at + 24].rstrip(b'\\0').decode('ascii', 'replace')
                    counts[label] = counts.get(label, 0) + 1
                print('SEEN' + ''.join(' %s=%d' % kv for kv in sorted(counts.items())), flush=True)
            def send(dev, path, rounds):
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((dev, 0))
                frames = [bytes.fromhex(line) for line in open(path) if line.strip()]
                sent = 0
                for _ in range(min(int(rounds), 100)):
                    for frame in frames:
                        s.send(frame)
                        sent += 1
                    time.sleep(0.05)
                print('SENT frames=%d' % sent, flush=True)
            if sys.argv[1] == 'sniff':
                sniff(sys.argv[2], sys.argv[3])
            else:
                send(sys.argv[2], sys.argv[3], sys.argv[4])
            """;

    private RawFrames() {}

    /** A sniffer counting labelled frames on {@code device} of {@code ns} for {@code time}; ready when this returns. */
    static Background sniff(Lab lab, Netns ns, String device, Duration time) {
        var sniffer = lab.start(ns, "sniffer-" + ns.name(),
                List.of("python3", script(lab).toString(), "sniff", device, Long.toString(time.toSeconds())));
        assertTrue(Wait.until(Duration.ofSeconds(15), () -> sniffer.logText().contains("READY") || !sniffer.isAlive())
                && sniffer.isAlive(), "sniffer not ready\n" + sniffer.logText());
        return sniffer;
    }

    /** Frames seen per label, once the sniffer has finished. */
    static Map<String, Integer> seen(Background sniffer, Duration timeout) {
        var exit = sniffer.awaitExit(timeout);
        assertTrue(exit.isPresent() && exit.getAsInt() == 0, "sniffer\n" + sniffer.logText());
        Matcher m = SEEN.matcher(sniffer.logText());
        assertTrue(m.find(), "sniffer printed no SEEN line\n" + sniffer.logText());
        var counts = new TreeMap<String, Integer>();
        for (String pair : m.group(1).trim().split(" ")) {
            if (!pair.isEmpty()) {
                counts.put(pair.substring(0, pair.lastIndexOf('=')),
                        Integer.parseInt(pair.substring(pair.lastIndexOf('=') + 1)));
            }
        }
        return counts;
    }

    /** Sends each of {@code frames} {@code rounds} times from {@code device} of {@code ns}; waits until done. */
    static void send(Lab lab, Netns ns, String device, List<byte[]> frames, int rounds) {
        Path file = lab.workDir().resolve("frames-" + System.nanoTime() + ".hex");
        var hex = new StringBuilder();
        frames.forEach(f -> hex.append(HexFormat.of().formatHex(f)).append('\n'));
        try {
            Files.writeString(file, hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var result = ns.exec(Duration.ofSeconds(30), "python3", script(lab).toString(), "send", device,
                file.toString(), Integer.toString(rounds));
        assertTrue(result.ok() && result.output().contains("SENT frames=" + frames.size() * rounds),
                "raw send\n" + result.output());
    }

    /** An IPv4 UDP datagram from {@code srcPort} to {@code dstPort}, broadcast, behind {@code tags} (TPIDs). */
    static byte[] udpV4(String label, int srcPort, int dstPort, int... tags) {
        ByteBuffer ip = ByteBuffer.allocate(20 + 8 + MAGIC.length + LABEL_BYTES);
        Ipv4Packets.header(ip, ip.capacity(), Ipv4Packets.UDP, 0, -1, 0, 0);
        udp(ip, srcPort, dstPort, label);
        return ethernet(0x0800, ip.array(), tags);
    }

    /**
     * An IPv6 UDP datagram from {@code srcPort} to {@code dstPort} to ff02::1:2, behind a hop-by-hop and a destination
     * options header, in a broadcast frame behind {@code tags}.
     */
    static byte[] udpV6BehindExtensionHeaders(String label, int srcPort, int dstPort, int... tags) {
        int udpBytes = 8 + MAGIC.length + LABEL_BYTES;
        ByteBuffer ip = ByteBuffer.allocate(40 + 8 + 8 + udpBytes);
        ip.putInt(0x6000_0000).putShort((short) (16 + udpBytes)).put((byte) 0).put((byte) 1);
        ip.putLong(0xfe80_0000_0000_0000L).putLong(0x0200_5eff_fecb_0001L).putLong(0xff02_0000_0000_0000L)
                .putLong(0x0000_0000_0001_0002L);
        ip.put((byte) 60).put((byte) 0).putShort((short) 0x0104).putInt(0);   // hop-by-hop: PadN; next: dest. options
        ip.put((byte) 17).put((byte) 0).putShort((short) 0x0104).putInt(0);   // destination options: PadN; next: UDP
        udp(ip, srcPort, dstPort, label);
        return ethernet(0x86dd, ip.array(), tags);
    }

    /** {@code frame} with its source MAC replaced by {@code mac} ({@code aa:bb:cc:dd:ee:ff}). */
    static byte[] fromMac(byte[] frame, String mac) {
        byte[] copy = frame.clone();
        System.arraycopy(HexFormat.ofDelimiter(":").parseHex(mac), 0, copy, 6, 6);
        return copy;
    }

    private static void udp(ByteBuffer b, int srcPort, int dstPort, String label) {
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + MAGIC.length + LABEL_BYTES))
                .putShort((short) 0);
        b.put(MAGIC);
        byte[] name = label.getBytes(StandardCharsets.US_ASCII);
        if (name.length > LABEL_BYTES) {
            throw new IllegalArgumentException("label too long: " + label);
        }
        b.put(name).put(new byte[LABEL_BYTES - name.length]);
    }

    /** A broadcast frame from {@link #SOURCE_MAC} carrying {@code payload}, behind VLAN 42 tags of {@code tpids}. */
    private static byte[] ethernet(int type, byte[] payload, int... tpids) {
        return Frames.tagged(Frames.ethernet(BROADCAST, SOURCE_MAC, type, payload.length).put(payload).array(), 42, tpids);
    }

    private static Path script(Lab lab) {
        Path file = lab.workDir().resolve("rawframes.py");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, SCRIPT);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
