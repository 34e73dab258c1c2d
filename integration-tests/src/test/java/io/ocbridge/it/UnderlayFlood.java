package io.ocbridge.it;

import io.ocbridge.crypto.Protocol;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.KeyFormatException;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.wire.Initiation;
import io.ocbridge.crypto.wire.Messages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Hostile UDP at a daemon's port, run as its own small JVM inside an attacker namespace (like {@link UdpBroadcast}),
 * paced, from many source addresses round-robin (each a socket bound to one address of the namespace), and bounded by
 * both time and count. Two kinds:
 * <ul>
 *   <li>{@code handshake}: handshake initiations that pass MAC1 for the responder's public key (so the responder must
 *   count them toward "under load") with random sender index, ephemeral, static and timestamp, no MAC2;</li>
 *   <li>{@code garbage}: random datagrams of every size 1..1500 and a few up to 65507, random bytes, one in seven with a
 *   real-looking header instead (types 1-4 at their sizes, type 4 with a random receiver index).</li>
 * </ul>
 * A third kind, {@code cookie-handshake}, answers cookie replies as a cookie-aware attacker would (see
 * {@link #cookieAwareInitiations}).
 * Prints {@code SENT datagrams=<n> nanos=<first to last> large=<n over 1500> unsent=<n> [cookies=<n>]} on exit, also
 * when stopped by SIGTERM.
 * <p>Usage: {@code UnderlayFlood handshake|cookie-handshake|garbage <target> <port> <firstSource> <sources>
 * <seconds> <maxDatagrams> <datagramsPerSecond> <responderPublicKey|seed>}
 */
public final class UnderlayFlood {
    private static final long TICK_NANOS = 200_000;
    private static final int PREBUILT_INITIATIONS = 4096;
    private static final int MAX_UDP_PAYLOAD = 65_507;
    private static final int ETHERNET_PAYLOAD = 1500;

    private UnderlayFlood() {}

    public static void main(String[] args) throws IOException, KeyFormatException {
        String kind = args[0];
        var target = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        List<InetAddress> sources = addresses(InetAddress.getByName(args[3]), Integer.parseInt(args[4]));
        long seconds = Long.parseLong(args[5]);
        long maxDatagrams = Long.parseLong(args[6]);
        long perSecond = Long.parseLong(args[7]);
        Source source = switch (kind) {
            case "handshake" -> initiations(PublicKey.fromBase64(args[8]));
            case "cookie-handshake" -> cookieAwareInitiations(PublicKey.fromBase64(args[8]), sources.size());
            case "garbage" -> garbage(Long.parseLong(args[8]));
            default -> throw new IllegalArgumentException("handshake|cookie-handshake|garbage: " + kind);
        };
        flood(target, sources, seconds, maxDatagrams, perSecond, source);
    }

    /** The argv that runs this class on this JVM's JDK with the module's full test classpath (tunnel-crypto on it). */
    static List<String> argv(String... args) {
        var argv = new ArrayList<String>(List.of(TestHost.javaBinary(), "-XX:+UseSerialGC", "-Xmx128m",
                "-cp", TestHost.fullTestClasspath(), UnderlayFlood.class.getName()));
        argv.addAll(List.of(args));
        return argv;
    }

    /** What to send from which source, and what to do with what comes back. */
    private interface Source {
        /** Writes the next datagram from source {@code from} into {@code out} (cleared, big enough) and flips it. */
        void next(int from, ByteBuffer out);

        /** Whether the flood reads what comes back to its sources (else their receive buffers just fill). */
        default boolean readsReplies() {
            return false;
        }

        /** A datagram that came back to source {@code from} (borrowed). */
        default void reply(int from, ByteBuffer in) {
        }

        /** Extra figures for the report line, each {@code " name=value"}. */
        default String figures() {
            return "";
        }
    }

    private static Source initiations(PublicKey responder) {
        var random = new SplittableRandom(0x0cb_f100dL);
        var macs = new CookieGenerator(responder, System::nanoTime);
        byte[][] prebuilt = new byte[PREBUILT_INITIATIONS][];
        for (int i = 0; i < prebuilt.length; i++) {
            byte[] m = new byte[Protocol.INITIATION_SIZE];
            random.nextBytes(m);
            var buf = ByteBuffer.wrap(m);
            Messages.putHeader(buf, Initiation.TYPE_OFFSET, Protocol.MESSAGE_INITIATION);
            macs.addMacs(buf);
            prebuilt[i] = m;
        }
        long[] n = {0};
        return (from, out) -> out.put(prebuilt[(int) (n[0]++ % prebuilt.length)]).flip();
    }

    /**
     * Initiations as a cookie-aware attacker sends them: each source keeps its own cookie state, takes the cookie from
     * the responder's reply and adds a valid MAC2 from then on, so its initiations get past the cookie check to the
     * per-source rate limit and, within it, to the responder's Diffie-Hellman.
     */
    private static Source cookieAwareInitiations(PublicKey responder, int sources) {
        var random = new SplittableRandom(0x0cb_c00c1eL);
        var macs = new CookieGenerator[sources];
        for (int i = 0; i < sources; i++) {
            macs[i] = new CookieGenerator(responder, System::nanoTime);
        }
        byte[] message = new byte[Protocol.INITIATION_SIZE];
        long[] cookies = {0};
        return new Source() {
            @Override
            public void next(int from, ByteBuffer out) {
                random.nextBytes(message);
                out.put(message).flip();
                Messages.putHeader(out, Initiation.TYPE_OFFSET, Protocol.MESSAGE_INITIATION);
                macs[from].addMacs(out);
            }

            @Override
            public boolean readsReplies() {
                return true;
            }

            @Override
            public void reply(int from, ByteBuffer in) {
                if (macs[from].consumeReply(in)) {
                    cookies[0]++;
                }
            }

            @Override
            public String figures() {
                return " cookies=" + cookies[0];
            }
        };
    }

    private static Source garbage(long seed) {
        var random = new SplittableRandom(seed);
        // Random content is a window at a random offset into a pool filled once: cheap per datagram, never repeating
        // in a way the daemon could rely on.
        byte[] pool = new byte[1 << 20];
        random.nextBytes(pool);
        long[] n = {0};
        return (from, out) -> {
            long i = n[0]++;
            int size;
            if (i % 1000 == 999) {
                size = ETHERNET_PAYLOAD + 1 + random.nextInt(MAX_UDP_PAYLOAD - ETHERNET_PAYLOAD);
            } else {
                size = 1 + (int) (i % ETHERNET_PAYLOAD);  // every size 1..1500 in turn
            }
            int type = 0;
            if (i % 7 == 3) {  // a real-looking header at the type's size; 7 is prime to 1500, so no size is skipped
                type = 1 + random.nextInt(4);
                size = switch (type) {
                    case Protocol.MESSAGE_INITIATION -> Protocol.INITIATION_SIZE;
                    case Protocol.MESSAGE_RESPONSE -> Protocol.RESPONSE_SIZE;
                    case Protocol.MESSAGE_COOKIE_REPLY -> Protocol.COOKIE_REPLY_SIZE;
                    default -> Protocol.TRANSPORT_HEADER_SIZE + Protocol.TAG_SIZE + 16 * random.nextInt(90);
                };
            }
            out.put(pool, random.nextInt(pool.length - size), size);
            if (type != 0) {
                Messages.putHeader(out, 0, type);
            }
            out.flip();
        };
    }

    private static void flood(InetSocketAddress target, List<InetAddress> sources, long seconds, long maxDatagrams,
                              long perSecond, Source source) throws IOException {
        var channels = new ArrayList<DatagramChannel>();
        var sent = new AtomicLong();
        var large = new AtomicLong();
        var unsent = new AtomicLong();
        var stop = new AtomicBoolean();
        var reported = new AtomicBoolean();
        long startNs = System.nanoTime();
        Runnable report = () -> {
            if (reported.compareAndSet(false, true)) {
                System.out.println("SENT datagrams=" + sent.get() + " nanos=" + (System.nanoTime() - startNs)
                        + " large=" + large.get() + " unsent=" + unsent.get() + source.figures());
                System.out.flush();
            }
        };
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                main.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            report.run();
        }));
        try {
            for (var address : sources) {
                var ch = DatagramChannel.open();
                ch.bind(new InetSocketAddress(address, 0));
                ch.configureBlocking(false);
                channels.add(ch);
            }
            var out = ByteBuffer.allocateDirect(MAX_UDP_PAYLOAD);
            var in = ByteBuffer.allocateDirect(MAX_UDP_PAYLOAD);
            long deadlineNs = startNs + seconds * 1_000_000_000L;
            long nowNs = startNs;
            long attempts = 0;
            while (!stop.get() && attempts < maxDatagrams && deadlineNs - nowNs > 0) {
                long dueNow = Math.min(maxDatagrams, (nowNs - startNs) * perSecond / 1_000_000_000L + 1);
                while (attempts < dueNow) {
                    int from = (int) (attempts++ % channels.size());
                    var ch = channels.get(from);
                    while (source.readsReplies() && ch.receive(in.clear()) != null) {
                        source.reply(from, in.flip());
                    }
                    out.clear();
                    source.next(from, out);
                    boolean isLarge = out.remaining() > ETHERNET_PAYLOAD;
                    if (ch.send(out, target) == 0) {
                        unsent.incrementAndGet();  // our own send buffer full: not offered
                        continue;
                    }
                    sent.incrementAndGet();
                    if (isLarge) {
                        large.incrementAndGet();
                    }
                }
                LockSupport.parkNanos(TICK_NANOS);
                nowNs = System.nanoTime();
            }
        } finally {
            for (var ch : channels) {
                ch.close();
            }
        }
        report.run();
    }

    /** {@code count} consecutive IPv4 addresses from {@code first}. */
    static List<InetAddress> addresses(InetAddress first, int count) throws IOException {
        int base = ByteBuffer.wrap(first.getAddress()).getInt();
        var list = new ArrayList<InetAddress>(count);
        for (int i = 0; i < count; i++) {
            list.add(InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(base + i).array()));
        }
        return list;
    }
}
