package io.ocbridge.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.testing.Poll;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ControlServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Log LOG = Log.with("test=control");

    @TempDir
    Path dir;

    @Test
    void answersStatusWithJsonOnA0600SocketInA0700Directory() throws Exception {
        Path socket = dir.resolve("run/ocbridge/dc-east.sock");
        try (ControlServer server = ControlServer.start(socket, StatusFixtures::site, LOG)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            String response = ControlClient.request(socket, "status", TIMEOUT);
            assertEquals(StatusJson.write(StatusFixtures.site()), response);
            assertEquals(response, ControlClient.request(socket, "status\r", TIMEOUT), "CRLF is tolerated");
        }
        assertFalse(Files.exists(socket), "socket removed on close");
    }

    @Test
    void badRequestsGetAnErrorLineAndTheServerKeepsServing() throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = ControlServer.start(socket, StatusFixtures::site, LOG)) {
            assertTrue(ControlClient.request(socket, "shutdown", TIMEOUT).startsWith("error: unknown request"));
            assertTrue(ControlClient.request(socket, "", TIMEOUT).startsWith("error: unknown request"));
            assertTrue(ControlClient.request(socket, "x".repeat(10_000), TIMEOUT).startsWith("error: "));
            assertTrue(ControlClient.request(socket, "st\u0000tus", TIMEOUT).startsWith("error: "));
            try (SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                silent.connect(UnixDomainSocketAddress.of(socket)); // connects and says nothing
                assertTrue(ControlClient.request(socket, "status", TIMEOUT).startsWith("{\"schema\":1,"));
            }
        }
    }

    @Test
    void unavailableStatusIsAnErrorLine() throws Exception {
        Path socket = dir.resolve("c.sock");
        StatusSource failing = () -> {
            throw new StatusUnavailableException("overlay corp did not answer within 2000 ms", null);
        };
        try (ControlServer server = ControlServer.start(socket, failing, LOG)) {
            assertEquals("error: overlay corp did not answer within 2000 ms",
                    ControlClient.request(socket, "status", TIMEOUT));
        }
    }

    @Test
    void staleSocketIsReplacedButALiveDaemonIsNot() throws Exception {
        Path socket = dir.resolve("c.sock");
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(socket));
        dead.close(); // the file stays, as after a SIGKILL
        assertTrue(Files.exists(socket));
        try (ControlServer server = ControlServer.start(socket, StatusFixtures::site, LOG)) {
            IOException e = assertThrows(IOException.class,
                    () -> ControlServer.start(socket, StatusFixtures::site, LOG));
            assertTrue(e.getMessage().contains("another ocbridge daemon"), e.getMessage());
            assertTrue(ControlClient.request(socket, "status", TIMEOUT).startsWith("{"), "first one unharmed");
        }
    }

    @Test
    void refusesASocketDirectoryOthersCanWrite() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = shared.resolve("dc-east.sock");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(socket, StatusFixtures::site, LOG));
        assertEquals("refusing socket directory " + shared + ": group or others can write to it (mode 0777); chmod go-w"
                + " it", e.getMessage());
        assertFalse(Files.exists(socket));
    }

    @Test
    void refusesToReplaceARegularFile() throws Exception {
        Path file = Files.writeString(dir.resolve("c.sock"), "precious");
        IOException e = assertThrows(IOException.class, () -> ControlServer.start(file, StatusFixtures::site, LOG));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void clientSaysWhenNoDaemonRuns() {
        IOException e = assertThrows(IOException.class,
                () -> ControlClient.request(dir.resolve("none.sock"), "status", TIMEOUT));
        assertEquals("is the daemon running? no socket at " + dir.resolve("none.sock"), e.getMessage());
    }

    @Test
    void aSlowSourceDoesNotBlockOtherClientsForever() throws Exception {
        Path socket = dir.resolve("c.sock");
        AtomicBoolean first = new AtomicBoolean(true);
        StatusSource slow = () -> {
            if (first.getAndSet(false)) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return StatusFixtures.site();
        };
        try (ControlServer server = ControlServer.start(socket, slow, LOG)) {
            Thread slowClient = Thread.ofVirtual().start(() -> {
                try {
                    ControlClient.request(socket, "status", TIMEOUT);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            long start = System.nanoTime();
            assertTrue(ControlClient.request(socket, "status", TIMEOUT).startsWith("{"));
            assertTrue(System.nanoTime() - start < 900_000_000L, "served beside the slow one");
            slowClient.join(TIMEOUT);
        }
    }

    /**
     * Sixteen clients that stall (half a request line, or a reload whose long reply they never read) hold every slot;
     * each is closed at the deadline, and a client arriving after them is answered.
     */
    @Test
    void stalledClientsAreClosedAtTheDeadlineAndTheNextOneIsServed() throws Exception {
        Path socket = dir.resolve("c.sock");
        ReloadReply longReply = new ReloadReply(ReloadReply.Outcome.OK,
                java.util.Collections.nCopies(50_000, "peer-added peer=cloud-a overlay=corp endpoint=192.0.2.7:51820"));
        List<SocketChannel> stalled = new ArrayList<>();
        try (ControlServer server = ControlServer.start(socket, StatusFixtures::site, () -> longReply, LOG,
                Duration.ofMillis(300))) {
            try {
                for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
                    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    stalled.add(client);
                    client.write(StandardCharsets.UTF_8.encode(i % 2 == 0 ? "sta" : "reload\n"));
                }
                String response = "";
                for (long until = System.nanoTime() + 5_000_000_000L; !response.startsWith("{")
                        && System.nanoTime() < until; Thread.sleep(50)) {
                    try {
                        response = ControlClient.request(socket, "status", TIMEOUT);
                    } catch (IOException busy) {
                        // over the bound: refused
                    }
                }
                assertEquals(StatusJson.write(StatusFixtures.site()), response, "served once the stalled were closed");
                // the stalled ones are counted as they close
                Poll.until(Duration.ofSeconds(5), Duration.ofMillis(20),
                        () -> server.timedOutConnections() >= ControlServer.MAX_CONNECTIONS);
                assertEquals(ControlServer.MAX_CONNECTIONS, server.timedOutConnections());
            } finally {
                for (SocketChannel client : stalled) {
                    client.close();
                }
            }
        }
    }

    @Test
    void rawProtocolIsOneRequestOneResponseThenClose() throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer server = ControlServer.start(socket, StatusFixtures::site, LOG);
             SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(StandardCharsets.UTF_8.encode("status\nstatus\n"));
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (channel.read(buffer) >= 0) {
                assertTrue(buffer.hasRemaining());
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            assertEquals(1, text.lines().count(), text);
        }
    }
}
