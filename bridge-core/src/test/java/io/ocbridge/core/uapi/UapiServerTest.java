package io.ocbridge.core.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.log.Log;
import io.ocbridge.core.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class UapiServerTest {
    private static final Log LOG = Log.with("test=uapi");

    @TempDir
    Path dir;

    /** A device that answers the fixture and records sets. */
    private static class FakeDevice implements UapiDevice {
        final List<SetRequest> sets = new ArrayList<>();
        Boolean lastWithSecrets;

        @Override
        public DeviceState get(boolean withSecrets) {
            lastWithSecrets = withSecrets;
            return UapiCodecTest.device(withSecrets);
        }

        @Override
        public void set(SetRequest request) throws UapiException {
            if (request.device().listenPort() != null) {
                throw new UapiException(UapiException.EINVAL, "listen_port cannot change");
            }
            sets.add(request);
        }
    }

    @Test
    void servesGetAndSetOnOneConnectionFromA0600SocketInA0755Directory() throws Exception {
        Path socket = dir.resolve("wireguard/ocb0.sock");
        FakeDevice device = new FakeDevice();
        try (UapiServer server = UapiServer.start(socket, device, LOG);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));

            String get = exchange(client, "get=1\n\n");
            assertTrue(device.lastWithSecrets, "the test runs as root, which may read keys");
            assertEquals(UapiGet.format(UapiCodecTest.device(true)) + "errno=0\n\n", get);

            String key = HexFormat.of().formatHex(UapiCodecTest.KEY_A);
            assertEquals("errno=0\n\n", exchange(client, "set=1\npublic_key=" + key
                    + "\npersistent_keepalive_interval=15\n\n"));
            assertEquals(15, device.sets.getFirst().peers().getFirst().persistentKeepaliveSeconds());

            assertEquals("errno=-22\n\n", exchange(client, "set=1\nlisten_port=1\n\n"));
            assertEquals("errno=-22\n\n", exchange(client, "set=1\nnonsense=1\n\n"));
            assertEquals("errno=-71\n\n", exchange(client, "set=1\nno-equals\n\n"));
            assertEquals("errno=-22\n\n", exchange(client, "get=1\nextra\n"));
            assertEquals(1, device.sets.size(), "refused requests apply nothing");
        }
        assertFalse(Files.exists(socket), "the socket file is removed on close");
    }

    @Test
    void oversizeRequestIsRefusedAndTheConnectionClosed() throws Exception {
        Path socket = dir.resolve("ocb1.sock");
        try (UapiServer server = UapiServer.start(socket, new FakeDevice(), LOG);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            String reply = exchange(client, "set=1\n" + "x".repeat(LineReader.MAX_LINE_BYTES + 10) + "\n\n");
            assertEquals("errno=-90\n\n", reply);
            assertEquals(-1, client.read(ByteBuffer.allocate(16)));
        }
    }

    @Test
    void unknownOperationClosesTheConnection() throws Exception {
        Path socket = dir.resolve("ocb2.sock");
        try (UapiServer server = UapiServer.start(socket, new FakeDevice(), LOG);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(StandardCharsets.UTF_8.encode("hello=1\n\n"));
            assertEquals(-1, client.read(ByteBuffer.allocate(16)));
        }
    }

    @Test
    void replacesAStaleSocketAndRefusesALiveOne() throws Exception {
        Path socket = dir.resolve("ocb3.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class, () -> UapiServer.start(socket, new FakeDevice(), LOG));
            assertTrue(e.getMessage().contains("answering"), e.getMessage());
        }
        assertTrue(Files.exists(socket), "a closed server channel leaves its file: now stale");
        try (UapiServer server = UapiServer.start(socket, new FakeDevice(), LOG)) {
            assertTrue(Files.exists(socket));
        }
        Path file = dir.resolve("ocb4.sock");
        Files.writeString(file, "not a socket");
        assertThrows(IOException.class, () -> UapiServer.start(file, new FakeDevice(), LOG));
        assertTrue(Files.exists(file), "a regular file is never removed");
    }

    /** An existing /run/wireguard that others could write to would let them stand in for us: refused. */
    @Test
    void refusesASocketDirectoryOthersCanWrite() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("wireguard"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path socket = shared.resolve("ocb8.sock");
        IOException e = assertThrows(IOException.class, () -> UapiServer.start(socket, new FakeDevice(), LOG));
        assertTrue(e.getMessage().startsWith("refusing socket directory " + shared + ": group or others can write"),
                e.getMessage());
        assertFalse(Files.exists(socket));
    }

    @Test
    void closeLeavesASocketThatIsNoLongerOurs() throws Exception {
        Path socket = dir.resolve("ocb5.sock");
        UapiServer server = UapiServer.start(socket, new FakeDevice(), LOG);
        Files.delete(socket);
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socket));
            server.close();
            assertTrue(Files.exists(socket));
        }
    }

    /** A key sent in every malformed way we can think of never reaches the log, even at debug. */
    @Test
    void malformedKeyLinesNeverPutTheKeyInTheLog() throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String key = HexFormat.of().formatHex(secret);
        String peer = "public_key=" + HexFormat.of().formatHex(UapiCodecTest.KEY_A) + "\n";
        List<String> requests = new ArrayList<>();
        for (String field : List.of("private_key", "preshared_key")) {
            for (String line : List.of(field + "=" + key, field + ":" + key, field + " " + key, field + key + "=1",
                    field + " =" + key, " " + field + "=" + key, field.toUpperCase() + "=" + key, key,
                    field + "=" + key + "0", field + "=" + key.substring(1), field + "=g" + key.substring(1))) {
                requests.add(line + "\n\n");                          // in place of the operation
                requests.add("set=1\n" + line + "\n\n");              // as a device key
                requests.add("set=1\n" + peer + line + "\n\n");       // as a peer key
                requests.add("get=1\n" + line + "\n\n");              // after a get
            }
        }
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));
        Log.setThreshold(Log.Level.DEBUG);
        Path socket = dir.resolve("ocb6.sock");
        try (UapiServer server = UapiServer.start(socket, new FakeDevice(), LOG)) {
            for (String request : requests) {
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    exchange(client, request);
                }
            }
        } finally {
            Log.setThreshold(Log.Level.INFO);
            Log.setOutput(System.err);
        }
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("uapi-request-refused") && log.contains("reason=unknown-operation"), log);
        for (int i = 0; i + 16 <= key.length(); i++) {
            assertFalse(log.toLowerCase().contains(key.substring(i, i + 16)), "part of the key is in the log:\n" + log);
        }
    }

    /**
     * Sixteen clients that stall (silent, mid-request, or never reading a long reply) hold every slot; each is closed
     * at the deadline, and a client arriving after them is served.
     */
    @Test
    void stalledClientsAreClosedAtTheDeadlineAndTheNextOneIsServed() throws Exception {
        Path socket = dir.resolve("ocb7.sock");
        List<DeviceState.PeerState> peers = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // some 4 MB of reply: more than a Unix socket buffers
            peers.add(new DeviceState.PeerState(UapiCodecTest.KEY_A, null, "192.0.2.7:51821", 0, 0, 0, 0,
                    List.of(io.ocbridge.core.route.Cidr.ofV4(0x0a00_0000 + i, 32))));
        }
        DeviceState big = new DeviceState(null, 51820, peers);
        FakeDevice device = new FakeDevice() {
            @Override
            public DeviceState get(boolean withSecrets) {
                return big;
            }
        };
        List<String> stalls = List.of("", "set=1\n", "set=1\npublic_key=a1", "get=1\n", "get=1\n\n");
        List<SocketChannel> stalled = new ArrayList<>();
        try (UapiServer server = UapiServer.start(socket, device, LOG, Duration.ofMillis(300))) {
            try {
                for (int i = 0; i < UapiServer.MAX_CONNECTIONS; i++) {
                    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    stalled.add(client);
                    client.write(StandardCharsets.UTF_8.encode(stalls.get(i % stalls.size())));
                }
                String set = "set=1\npublic_key=" + HexFormat.of().formatHex(UapiCodecTest.KEY_A) + "\n\n";
                String reply = "";
                for (long until = System.nanoTime() + 5_000_000_000L; !reply.equals("errno=0\n\n")
                        && System.nanoTime() < until; Thread.sleep(50)) {
                    try (SocketChannel next = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                        reply = exchange(next, set);
                    } catch (IOException refused) {
                        // over the bound: closed unanswered
                    }
                }
                assertEquals("errno=0\n\n", reply, "served once the stalled clients were closed");
                for (SocketChannel client : stalled) {
                    ByteBuffer sink = ByteBuffer.allocate(1 << 16);
                    int n;
                    do {
                        sink.clear();
                        n = client.read(sink);
                    } while (n >= 0);
                }
                // the count follows the close the clients saw
                Poll.until(Duration.ofSeconds(5), Duration.ofMillis(20),
                        () -> server.timedOutConnections() >= UapiServer.MAX_CONNECTIONS);
                assertEquals(UapiServer.MAX_CONNECTIONS, server.timedOutConnections());
            } finally {
                for (SocketChannel client : stalled) {
                    client.close();
                }
            }
        }
    }

    /** Writes {@code request} and reads until the blank line that ends a reply. */
    private static String exchange(SocketChannel client, String request) throws IOException {
        client.write(StandardCharsets.UTF_8.encode(request));
        StringBuilder reply = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(1);
        while (!reply.toString().endsWith("\n\n")) {
            buffer.clear();
            if (client.read(buffer) < 0) {
                break;
            }
            reply.append((char) buffer.get(0));
        }
        return reply.toString();
    }
}
