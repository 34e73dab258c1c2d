package io.ocbridge.core.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway network namespace {@code ocbt-<pid>-<n>} for tests, deleted on close. Work runs on one
 * dedicated platform thread that joined the namespace with {@code setns(2)} (network namespaces are
 * per thread on Linux), so devices and sockets it opens live there; the JVM's other threads stay
 * in the root namespace. If joining fails, nothing runs.
 */
public final class NetNamespace implements AutoCloseable {

    private static final int CLONE_NEWNET = 0x4000_0000;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Path IP = Path.of("/usr/sbin/ip");

    private final String name;
    private final ExecutorService thread;

    private NetNamespace(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(task -> Thread.ofPlatform().daemon().name(name).unstarted(task));
    }

    /** True where these tests can run: root, {@code /dev/net/tun} and iproute2 present. */
    public static boolean available() {
        try {
            return Files.exists(Path.of("/dev/net/tun")) && Files.isExecutable(IP)
                    && ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    public static NetNamespace create() throws Exception {
        String name = "ocbt-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        ip("netns", "add", name);
        NetNamespace namespace = new NetNamespace(name);
        try {
            namespace.call(() -> {
                join(name);
                return null;
            });
            LinkConfigurator.inNamespace(name).setUp("lo");
            return namespace;
        } catch (Exception | Error e) {
            namespace.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** Runs {@code work} inside the namespace, waiting at most 60 s. */
    public <V> V call(Callable<V> work) throws Exception {
        Future<V> result = thread.submit(work);
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        } catch (TimeoutException e) {
            result.cancel(true);
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        ip("netns", "delete", name);
    }

    private static void join(String name) throws IOException {
        Linker linker = Linker.nativeLinker();
        Linker.Option errnoOption = Linker.Option.captureCallState("errno");
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errnoOption, Linker.Option.firstVariadicArg(2));
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errnoOption);
        MemorySegment errno = Libc.newErrnoSegment();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(errno, arena.allocateFrom("/run/netns/" + name), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (fd < 0) {
                throw Libc.failure("open /run/netns/" + name, Libc.errno(errno));
            }
            int result = (int) setns.invokeExact(errno, fd, CLONE_NEWNET);
            int error = Libc.errno(errno);
            Libc.close(fd);
            if (result != 0) {
                throw Libc.failure("setns " + name, error);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        Object inode = Files.getAttribute(Path.of("/run/netns/" + name), "unix:ino");
        if (!self.equals("net:[" + inode + "]")) {
            throw new IllegalStateException("setns left this thread in " + self + ", not " + name);
        }
    }

    private static void ip(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(IP.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command + " timed out");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IOException(command + ": " + output);
        }
    }
}
