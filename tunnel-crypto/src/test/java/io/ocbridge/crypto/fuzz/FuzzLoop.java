package io.ocbridge.crypto.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The CI half of every fuzz target: a seeded mutation loop (bit flips, interesting values, inserts, deletes,
 * splices of the checked-in regression inputs) that runs a fixed number of inputs through the same
 * {@code fuzzOne} method Jazzer drives. Deterministic for a given seed, so a failure reproduces.
 *
 * <p>{@code -Dfuzz.inputs=N} changes the count (default 100,000); {@code -Dfuzz.seconds=S} runs for S seconds
 * instead; {@code -Dfuzz.seed=X} changes the seed. A failing input is written to
 * {@code target/fuzz-crashes/<target>-<sha1>} (add it to the target's regression folder once fixed).
 *
 * <p>bridge-core's fuzz tests use it too, through this module's test-jar.
 */
public final class FuzzLoop {
    public static final int DEFAULT_INPUTS = 100_000;

    private FuzzLoop() {}

    /** The regression inputs Jazzer runs for {@code method} of {@code test}: {@code <Class>Inputs/<method>/*}. */
    public static List<byte[]> corpus(Class<?> test, String method) {
        URL url = test.getResource(test.getSimpleName() + "Inputs/" + method);
        List<byte[]> seeds = new ArrayList<>();
        if (url == null) {
            return seeds;
        }
        try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
            for (Path f : files.sorted().toList()) {
                seeds.add(Files.readAllBytes(f));
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read regression inputs " + url, e);
        }
        return seeds;
    }

    public static byte[] resource(Class<?> test, String name) {
        try (InputStream in = test.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the mutation loop; returns how many inputs were executed (also printed). */
    public static long run(String name, List<byte[]> seeds, int maxLength, Consumer<byte[]> target) {
        if (seeds.isEmpty()) {
            throw new IllegalStateException(name + ": no seeds");
        }
        long seconds = Long.getLong("fuzz.seconds", 0);
        long inputs = Long.getLong("fuzz.inputs", DEFAULT_INPUTS);
        long seed = Long.getLong("fuzz.seed", 0x0cb_f022L) ^ name.hashCode();
        Random random = new Random(seed);
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        long executed = 0;
        // Seeds first, unmutated, then mutations of seeds and of recent mutants.
        byte[][] recent = new byte[64][];
        for (byte[] s : seeds) {
            execute(name, s, target);
            executed++;
        }
        while (seconds > 0 ? System.nanoTime() - deadline < 0 : executed < inputs) {
            byte[] base = random.nextInt(4) == 0 && recent[random.nextInt(recent.length)] != null
                    ? recent[random.nextInt(recent.length)] : seeds.get(random.nextInt(seeds.size()));
            if (base == null) {
                base = seeds.get(0);
            }
            byte[] input = mutate(random, base, seeds, maxLength);
            recent[(int) (executed & (recent.length - 1))] = input;
            execute(name, input, target);
            executed++;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("fuzz %s: %d inputs (%d seeds) in %d ms, seed %d%n", name, executed, seeds.size(), millis, seed);
        return executed;
    }

    private static void execute(String name, byte[] input, Consumer<byte[]> target) {
        try {
            target.accept(input);
        } catch (Throwable t) {
            Path saved = save(name, input);
            throw new AssertionError(name + " failed on input " + saved + " (" + input.length + " bytes): "
                    + HexFormat.of().formatHex(input, 0, Math.min(input.length, 256)), t);
        }
    }

    private static Path save(String name, byte[] input) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(input);
            Path dir = Paths.get("target", "fuzz-crashes");
            Files.createDirectories(dir);
            return Files.write(dir.resolve(name + "-" + HexFormat.of().formatHex(sha)), input);
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static final int[] INTERESTING_8 = {0, 1, 0x7f, 0x80, 0xff, 0x10, 0x40, 0x45, 0x06, 0x11};
    private static final int[] INTERESTING_16 = {0, 1, 0x7fff, 0x8000, 0xffff, 0x2000, 0x1fff, 0x0800, 0x86dd, 0x0806,
            0x8100, 0x88a8, 4789, 1500, 1514, 20, 40, 60, 64, 576, 65535 - 20};

    /** One to four stacked mutations of {@code base}, at most {@code maxLength} bytes. */
    public static byte[] mutate(Random r, byte[] base, List<byte[]> seeds, int maxLength) {
        byte[] b = base.clone();
        int rounds = 1 + r.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            int n = b.length;
            switch (r.nextInt(12)) {
                case 0, 1 -> {  // bit flip
                    if (n > 0) {
                        b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 2 -> {  // random byte
                    if (n > 0) {
                        b[r.nextInt(n)] = (byte) r.nextInt(256);
                    }
                }
                case 3 -> {  // interesting byte
                    if (n > 0) {
                        b[r.nextInt(n)] = (byte) INTERESTING_8[r.nextInt(INTERESTING_8.length)];
                    }
                }
                case 4 -> {  // interesting 16-bit value, either byte order
                    if (n > 1) {
                        int v = INTERESTING_16[r.nextInt(INTERESTING_16.length)];
                        if (r.nextBoolean()) {
                            v = r.nextInt(n + 64);
                        }
                        int at = r.nextInt(n - 1);
                        boolean big = r.nextBoolean();
                        b[at] = (byte) (big ? v >>> 8 : v);
                        b[at + 1] = (byte) (big ? v : v >>> 8);
                    }
                }
                case 5 -> b = java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n + 1));  // truncate
                case 6 -> {  // delete a range
                    if (n > 1) {
                        int at = r.nextInt(n);
                        int len = 1 + r.nextInt(Math.min(16, n - at));
                        byte[] out = new byte[n - len];
                        System.arraycopy(b, 0, out, 0, at);
                        System.arraycopy(b, at + len, out, at, n - at - len);
                        b = out;
                    }
                }
                case 7 -> {  // insert random or repeated bytes
                    int at = r.nextInt(n + 1);
                    int len = 1 + r.nextInt(r.nextInt(8) == 0 ? 512 : 16);
                    byte[] out = new byte[n + len];
                    System.arraycopy(b, 0, out, 0, at);
                    byte fill = (byte) r.nextInt(256);
                    boolean random = r.nextBoolean();
                    for (int k = 0; k < len; k++) {
                        out[at + k] = random ? (byte) r.nextInt(256) : fill;
                    }
                    System.arraycopy(b, at, out, at + len, n - at);
                    b = out;
                }
                case 8 -> {  // splice: our head, another seed's tail
                    byte[] other = seeds.get(r.nextInt(seeds.size()));
                    int cut = r.nextInt(n + 1);
                    int from = other.length == 0 ? 0 : r.nextInt(other.length);
                    byte[] out = new byte[cut + other.length - from];
                    System.arraycopy(b, 0, out, 0, cut);
                    System.arraycopy(other, from, out, cut, other.length - from);
                    b = out;
                }
                case 9 -> {  // copy a range over another place
                    if (n > 2) {
                        int from = r.nextInt(n);
                        int to = r.nextInt(n);
                        int len = 1 + r.nextInt(Math.min(n - Math.max(from, to), 32));
                        System.arraycopy(b, from, b, to, len);
                    }
                }
                case 10 -> {  // fresh random bytes, rarely
                    if (r.nextInt(8) == 0) {
                        b = new byte[r.nextInt(Math.min(maxLength, 1600) + 1)];
                        r.nextBytes(b);
                    }
                }
                default -> {  // arithmetic on a byte
                    if (n > 0) {
                        int at = r.nextInt(n);
                        b[at] = (byte) (b[at] + r.nextInt(35) - 17);
                    }
                }
            }
        }
        return b.length > maxLength ? java.util.Arrays.copyOf(b, maxLength) : b;
    }
}
