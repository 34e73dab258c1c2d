package io.ocbridge.core.device;

import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Configures links by running iproute2's {@code ip} with an argument list (never a shell), in the
 * caller's network namespace or, with {@link #inNamespace}, in a named one ({@code ip -n NAME}).
 * Each command may take {@link #COMMAND_TIMEOUT_SECONDS}; a failure is an {@link IOException}
 * carrying {@code ip}'s stderr on one line. {@code ip} is an absolute path found at construction, never looked up on
 * {@code PATH} (this runs as root), and runs with {@code LC_ALL=C}, so the messages this class recognises are in
 * English whatever the daemon's locale. Routes go in sets, through one {@code ip -batch} run
 * whatever their number: a process per route took about 40 s for a 10,000-peer overlay's 20,000
 * routes, one batch takes about 0.1 s. Stateless and safe to share between threads.
 */
public final class LinkConfigurator {

    public static final long COMMAND_TIMEOUT_SECONDS = 10;
    /** Where iproute2 installs {@code ip}, in order of preference; the first executable one is used. */
    static final List<Path> IP_LOCATIONS = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"),
            Path.of("/bin/ip"));
    private static final int MAX_STDERR_BYTES = 4096;
    private static final int MAX_BATCH_STDERR_BYTES = 1 << 20;
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final List<Path> locations;
    private final Path ip; // null when no location holds an executable ip: every command then fails, saying so
    private final List<String> options;

    private LinkConfigurator(List<Path> locations, List<String> options) {
        this.locations = List.copyOf(locations);
        this.ip = find(locations);
        this.options = List.copyOf(options);
    }

    /** Acts in the network namespace of the calling thread. */
    public static LinkConfigurator current() {
        return new LinkConfigurator(IP_LOCATIONS, List.of());
    }

    /** As {@link #current()}, with {@code ip} looked for at {@code locations} instead (tests). */
    static LinkConfigurator current(List<Path> locations) {
        return new LinkConfigurator(locations, List.of());
    }

    /** Acts in the named network namespace ({@code /run/netns/NAME}). */
    public static LinkConfigurator inNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty() || namespace.startsWith("-") || namespace.contains("/")) {
            throw new IllegalArgumentException("bad namespace name \"" + namespace + "\"");
        }
        return new LinkConfigurator(IP_LOCATIONS, List.of("-n", namespace));
    }

    public void setMtu(String device, int mtuBytes) throws IOException {
        run("link", "set", "dev", InterfaceName.validate(device), "mtu", Integer.toString(mtuBytes));
    }

    /** Adds an interface address with its prefix, e.g. {@code 10.77.0.1/24}. */
    public void addAddress(String device, Cidr address) throws IOException {
        run("address", "add", address.toString(), "dev", InterfaceName.validate(device));
    }

    public void setUp(String device) throws IOException {
        run("link", "set", "dev", InterfaceName.validate(device), "up");
    }

    /**
     * Routes every destination (host bits cleared) through the device, replacing routes that exist, in one
     * {@code ip -force -batch} run. Returns the destinations the kernel refused, each with ip's message (empty when
     * all are in); an {@link IOException} when ip could not run or stopped without saying which failed.
     */
    public Map<Cidr, String> replaceRoutes(String device, Collection<Cidr> destinations) throws IOException {
        return routeBatch("replace", device, destinations, false);
    }

    /**
     * Removes the routes for the destinations through the device, in one batch; a route already gone is not a
     * failure. Returns the refused ones as {@link #replaceRoutes} does.
     */
    public Map<Cidr, String> deleteRoutes(String device, Collection<Cidr> destinations) throws IOException {
        return routeBatch("del", device, destinations, true);
    }

    /** Enslaves {@code device} into the bridge {@code bridge}. */
    public void setMaster(String device, String bridge) throws IOException {
        run("link", "set", "dev", InterfaceName.validate(device), "master", InterfaceName.validate(bridge));
    }

    /** Takes {@code device} out of its bridge, if it is in one. */
    public void setNoMaster(String device) throws IOException {
        run("link", "set", "dev", InterfaceName.validate(device), "nomaster");
    }

    public void deleteLink(String device) throws IOException {
        run("link", "delete", "dev", InterfaceName.validate(device));
    }

    public boolean linkExists(String device) throws IOException {
        Result result = execute("link", "show", "dev", InterfaceName.validate(device));
        if (result.exitCode == 0) {
            return true;
        }
        if (result.stderr.contains("does not exist")) {
            return false;
        }
        throw result.failure();
    }

    /** Runs {@code ip} with {@code arguments} (the family option first, if any); a failure is an IOException. */
    void run(List<String> arguments) throws IOException {
        Result result = execute(arguments, null, MAX_STDERR_BYTES);
        if (result.exitCode != 0) {
            throw result.failure();
        }
    }

    /**
     * Runs a deleting {@code ip} command: true if it deleted something, false if there was nothing to delete (ip's
     * "No such file or directory" for a rule, "does not exist" for a table); any other failure is an IOException.
     */
    boolean deleteIfPresent(List<String> arguments) throws IOException {
        Result result = execute(arguments, null, MAX_STDERR_BYTES);
        if (result.exitCode == 0) {
            return true;
        }
        if (result.stderr.contains("No such file or directory") || result.stderr.contains("does not exist")
                || result.stderr.contains("No such process")) {
            return false;
        }
        throw result.failure();
    }

    private Map<Cidr, String> routeBatch(String verb, String device, Collection<Cidr> destinations, boolean goneIsFine)
            throws IOException {
        String dev = InterfaceName.validate(device);
        List<Cidr> lines = destinations.stream().map(Cidr::masked).toList();
        if (lines.isEmpty()) {
            return Map.of();
        }
        StringBuilder input = new StringBuilder(lines.size() * 40);
        for (Cidr destination : lines) {  // the family follows from the prefix
            input.append("route ").append(verb).append(' ').append(destination).append(" dev ").append(dev).append('\n');
        }
        Result result = execute(List.of("-force", "-batch", "-"), input.toString(), MAX_BATCH_STDERR_BYTES);
        Map<Cidr, String> refused = new LinkedHashMap<>();
        // With -force, ip goes on after a refused line: its message lines, then "Command failed -:N".
        StringBuilder message = new StringBuilder();
        int attributed = 0;
        for (String line : result.stderr.split("\n")) {
            Matcher failed = FAILED_LINE.matcher(line.strip());
            if (!failed.matches()) {
                message.append(message.isEmpty() ? "" : "; ").append(line.strip());
                continue;
            }
            int at = Integer.parseInt(failed.group(1)) - 1;
            attributed++;
            String why = message.toString();
            message.setLength(0);
            if (at >= 0 && at < lines.size() && !(goneIsFine && why.contains("No such process"))) {
                refused.put(lines.get(at), why.isEmpty() ? "refused" : why);
            }
        }
        if (result.exitCode != 0 && (attributed == 0 || !message.isEmpty())) {
            throw result.failure();  // stopped on something it did not pin on a line (ip exits at once on a malformed one)
        }
        return refused;
    }

    private void run(String... arguments) throws IOException {
        Result result = execute(arguments);
        if (result.exitCode != 0) {
            throw result.failure();
        }
    }

    /** {@code stderr} as ip wrote it (lines matter to a batch); a failure's message puts it on one line. */
    private record Result(List<String> command, int exitCode, String stderr) {
        IOException failure() {
            String reason = stderr.isEmpty() ? "exit status " + exitCode : oneLine(stderr);
            return new IOException(String.join(" ", command) + ": " + reason);
        }
    }

    private Result execute(String... arguments) throws IOException {
        return execute(List.of(arguments), null, MAX_STDERR_BYTES);
    }

    /**
     * Runs {@code ip} with {@code arguments}, {@code input} on its stdin (none: /dev/null), and keeps up to
     * {@code keepStderrBytes} of its stderr, lines as they are. Stdin is fed and stderr drained on threads of their
     * own, so neither pipe filling up can stall the other.
     */
    private Result execute(List<String> arguments, String input, int keepStderrBytes) throws IOException {
        if (ip == null) {
            throw new IOException("cannot configure links: no executable ip at " + locations.stream()
                    .map(Path::toString).collect(Collectors.joining(", ")) + " (install iproute2)");
        }
        List<String> command = new ArrayList<>();
        command.add(ip.toString());
        command.addAll(options);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LC_ALL", "C"); // "does not exist", "No such process": ip's English messages
        if (input == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process process = builder.start();
        Thread writer = input == null ? null : Thread.ofVirtual().start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // ip stopped reading; its exit status and stderr say why
            }
        });
        FutureTask<byte[]> stderr = new FutureTask<>(() -> {
            try (InputStream err = process.getErrorStream()) {
                byte[] kept = err.readNBytes(keepStderrBytes);
                err.transferTo(OutputStream.nullOutputStream());
                return kept;
            }
        });
        Thread.ofVirtual().start(stderr);
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            if (writer != null) {
                writer.join(TimeUnit.SECONDS.toMillis(COMMAND_TIMEOUT_SECONDS));
            }
            String text = new String(stderr.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            return new Result(command, process.exitValue(), text.strip());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": reading its errors: " + e, e);
        }
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** The first of {@code locations} that is an executable file; null if none is. */
    private static Path find(List<Path> locations) {
        for (Path location : locations) {
            if (location.isAbsolute() && Files.isRegularFile(location) && Files.isExecutable(location)) {
                return location;
            }
        }
        return null;
    }
}
