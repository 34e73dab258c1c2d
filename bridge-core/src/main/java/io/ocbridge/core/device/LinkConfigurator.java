package io.ocbridge.core.device;

import io.ocbridge.core.route.Cidr;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures links by running iproute2's {@code ip} with an argument list (never a shell), in the
 * caller's network namespace or, with {@link #inNamespace}, in a named one ({@code ip -n NAME}).
 * Each command may take {@link #COMMAND_TIMEOUT_SECONDS}; a failure is an {@link IOException}
 * carrying {@code ip}'s stderr on one line. Stateless and safe to share between threads.
 */
public final class LinkConfigurator {

    public static final long COMMAND_TIMEOUT_SECONDS = 10;
    private static final Path SYSTEM_IP = Path.of("/usr/sbin/ip");
    private static final int MAX_STDERR_BYTES = 4096;

    private final List<String> prefix;

    private LinkConfigurator(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Acts in the network namespace of the calling thread. */
    public static LinkConfigurator current() {
        return new LinkConfigurator(List.of(ipBinary()));
    }

    /** Acts in the named network namespace ({@code /run/netns/NAME}). */
    public static LinkConfigurator inNamespace(String namespace) {
        if (namespace == null || namespace.isEmpty() || namespace.startsWith("-") || namespace.contains("/")) {
            throw new IllegalArgumentException("bad namespace name \"" + namespace + "\"");
        }
        return new LinkConfigurator(List.of(ipBinary(), "-n", namespace));
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

    /** Routes {@code destination} (host bits cleared) through the device. */
    public void addRoute(String device, Cidr destination) throws IOException {
        String family = destination.isIpv6() ? "-6" : "-4";
        run(family, "route", "replace", destination.masked().toString(), "dev", InterfaceName.validate(device));
    }

    /** Removes the route for {@code destination} through the device; a route already gone is not an error. */
    public void deleteRoute(String device, Cidr destination) throws IOException {
        String family = destination.isIpv6() ? "-6" : "-4";
        Result result = execute(family, "route", "del", destination.masked().toString(), "dev",
                InterfaceName.validate(device));
        if (result.exitCode != 0 && !result.stderr.contains("No such process")) {
            throw result.failure();
        }
    }

    /** Enslaves {@code device} into the bridge {@code bridge}. */
    public void setMaster(String device, String bridge) throws IOException {
        run("link", "set", "dev", InterfaceName.validate(device), "master", InterfaceName.validate(bridge));
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

    private void run(String... arguments) throws IOException {
        Result result = execute(arguments);
        if (result.exitCode != 0) {
            throw result.failure();
        }
    }

    private record Result(List<String> command, int exitCode, String stderr) {
        IOException failure() {
            String reason = stderr.isEmpty() ? "exit status " + exitCode : stderr;
            return new IOException(String.join(" ", command) + ": " + reason);
        }
    }

    private Result execute(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        String stderr;
        try (InputStream err = process.getErrorStream()) {
            stderr = new String(err.readNBytes(MAX_STDERR_BYTES), StandardCharsets.UTF_8);
        }
        return new Result(command, process.exitValue(), oneLine(stderr));
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static String ipBinary() {
        return Files.isExecutable(SYSTEM_IP) ? SYSTEM_IP.toString() : "ip";
    }
}
