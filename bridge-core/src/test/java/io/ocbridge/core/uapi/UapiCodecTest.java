package io.ocbridge.core.uapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocbridge.core.route.Cidr;
import io.ocbridge.core.testing.RecordingResolver;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class UapiCodecTest {
    private static final HexFormat HEX = HexFormat.of();
    static final byte[] KEY_A = filled(0xa1);
    static final byte[] KEY_B = filled(0x0b);
    static final byte[] PSK = filled(0x55);

    static byte[] filled(int value) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) value);
        return key;
    }

    static DeviceState device(boolean secrets) {
        return new DeviceState(secrets ? filled(0x11) : null, 51820, List.of(
                new DeviceState.PeerState(KEY_A, secrets ? PSK.clone() : null, "192.0.2.7:51821", 1_700_000_000_250L,
                        1234, 5678, 25, List.of(Cidr.parse("10.1.0.0/24"), Cidr.parse("fd00:1::/64"))),
                new DeviceState.PeerState(KEY_B, secrets ? new byte[32] : null, null, 0, 0, 0, 0, List.of())));
    }

    @Test
    void getIsTheFormatWgReads() {
        String expected = """
                listen_port=51820
                public_key=%s
                protocol_version=1
                endpoint=192.0.2.7:51821
                last_handshake_time_sec=1700000000
                last_handshake_time_nsec=250000000
                tx_bytes=1234
                rx_bytes=5678
                persistent_keepalive_interval=25
                allowed_ip=10.1.0.0/24
                allowed_ip=fd00:1::/64
                public_key=%s
                protocol_version=1
                last_handshake_time_sec=0
                last_handshake_time_nsec=0
                tx_bytes=0
                rx_bytes=0
                persistent_keepalive_interval=0
                """.formatted(HEX.formatHex(KEY_A), HEX.formatHex(KEY_B));
        assertEquals(expected, UapiGet.format(device(false)));
    }

    /** As wireguard-go: {@code fwmark=N} in decimal after the listen port, and only when a mark is set. */
    @Test
    void fwmarkIsWrittenOnlyWhenSetAndParsedUpTo32Bits() throws Exception {
        DeviceState marked = new DeviceState(null, 51820, 0xCA6CL, List.of());
        assertEquals("listen_port=51820\nfwmark=51820\n", UapiGet.format(marked));
        assertEquals("listen_port=51820\n", UapiGet.format(new DeviceState(null, 51820, List.of())));
        assertEquals(4_294_967_295L, Integer.toUnsignedLong(UapiSet.parse(List.of("fwmark=4294967295"))
                .device().fwmark()));
        assertEquals(0, UapiSet.parse(List.of("fwmark=0")).device().fwmark());
        UapiException tooBig = org.junit.jupiter.api.Assertions.assertThrows(UapiException.class,
                () -> UapiSet.parse(List.of("fwmark=4294967296")));
        assertTrue(tooBig.getMessage().contains("fwmark"), tooBig.getMessage());
    }

    @Test
    void secretsOnlyWhenTheSnapshotHoldsThem() {
        String withSecrets = UapiGet.format(device(true));
        assertTrue(withSecrets.startsWith("private_key=" + "11".repeat(32) + "\nlisten_port=51820\n"));
        assertTrue(withSecrets.contains("preshared_key=" + "55".repeat(32) + "\n"));
        assertFalse(UapiGet.format(device(false)).contains("private_key"));
        assertFalse(UapiGet.format(device(false)).contains("preshared_key"));
    }

    @Test
    void destroyZeroesSecrets() {
        DeviceState state = device(true);
        state.destroy();
        assertArrayEquals(new byte[32], state.privateKey());
        assertArrayEquals(new byte[32], state.peers().get(0).presharedKey());
    }

    /** What {@code wg set wg0 peer A endpoint ... allowed-ips ...} sends, parsed back. */
    @Test
    void setParsesWhatWgSends() throws Exception {
        SetRequest request = UapiSet.parse(List.of(
                "listen_port=51820",
                "public_key=" + HEX.formatHex(KEY_A),
                "preshared_key=" + HEX.formatHex(PSK),
                "endpoint=[2001:db8::1]:51821",
                "persistent_keepalive_interval=15",
                "replace_allowed_ips=true",
                "allowed_ip=10.99.0.0/24",
                "allowed_ip=-10.98.0.0/24",
                "public_key=" + HEX.formatHex(KEY_B).toUpperCase(),
                "update_only=true",
                "remove=true"));
        assertEquals(51820, request.device().listenPort());
        assertNull(request.device().privateKey());
        assertEquals(2, request.peers().size());
        SetRequest.PeerChange a = request.peers().get(0);
        assertArrayEquals(KEY_A, a.publicKey());
        assertArrayEquals(PSK, a.presharedKey());
        assertEquals(new InetSocketAddress("2001:db8::1", 51821), a.endpoint());
        assertEquals(15, a.persistentKeepaliveSeconds());
        assertTrue(a.replaceAllowedIps());
        assertEquals(List.of(Cidr.parse("10.99.0.0/24")), a.addAllowedIps());
        assertEquals(List.of(Cidr.parse("10.98.0.0/24")), a.removeAllowedIps());
        SetRequest.PeerChange b = request.peers().get(1);
        assertArrayEquals(KEY_B, b.publicKey());
        assertTrue(b.updateOnly());
        assertTrue(b.remove());
        request.destroy();
        assertArrayEquals(new byte[32], a.presharedKey());
    }

    /** A round trip: every peer a get reports, set back, yields the same fields. */
    @Test
    void getOutputParsesAsASet() throws Exception {
        String get = UapiGet.format(device(true));
        List<String> settable = get.lines()
                .filter(l -> !l.startsWith("last_handshake") && !l.startsWith("tx_bytes") && !l.startsWith("rx_bytes"))
                .toList();
        SetRequest request = UapiSet.parse(settable);
        assertArrayEquals(filled(0x11), request.device().privateKey());
        assertEquals(51820, request.device().listenPort());
        SetRequest.PeerChange a = request.peers().get(0);
        assertEquals(new InetSocketAddress("192.0.2.7", 51821), a.endpoint());
        assertEquals(25, a.persistentKeepaliveSeconds());
        assertEquals(List.of(Cidr.parse("10.1.0.0/24"), Cidr.parse("fd00:1::/64")), a.addAllowedIps());
        assertNull(request.peers().get(1).endpoint());
    }

    @Test
    void malformedLinesAreRefusedWithAnErrno() {
        String key = "public_key=" + HEX.formatHex(KEY_A);
        assertErrno(-UapiException.EPROTO, List.of("no equals sign"));
        assertErrno(-UapiException.EINVAL, List.of("bogus=1"));
        assertErrno(-UapiException.EINVAL, List.of("public_key=abc"));
        assertErrno(-UapiException.EINVAL, List.of("public_key=" + "zz".repeat(32)));
        assertErrno(-UapiException.EINVAL, List.of("listen_port=65536"));
        assertErrno(-UapiException.EINVAL, List.of("listen_port=-1"));
        assertErrno(-UapiException.EINVAL, List.of(key, "persistent_keepalive_interval=99999999999"));
        assertErrno(-UapiException.EINVAL, List.of(key, "endpoint=example.com:51820"));
        assertErrno(-UapiException.EINVAL, List.of(key, "endpoint=2001:db8::1:51820"));
        assertErrno(-UapiException.EINVAL, List.of(key, "endpoint=192.0.2.1:0"));
        assertErrno(-UapiException.EINVAL, List.of(key, "allowed_ip=10.0.0.0/33"));
        assertErrno(-UapiException.EINVAL, List.of(key, "remove=false"));
        assertErrno(-UapiException.EINVAL, List.of(key, "protocol_version=2"));
        assertErrno(-UapiException.EINVAL, List.of(key, "listen_port=1"));
    }

    /** Endpoints are literals: a scope ID or a name is refused without a lookup ("1.2.3.4%x" once went to DNS). */
    @Test
    void endpointsAreParsedWithoutAnyNameLookup() throws Exception {
        InetAddress.getByName("localhost");
        assertTrue(RecordingResolver.lookups().contains("localhost"), "the recording resolver is installed");
        int before = RecordingResolver.lookups().size();
        String key = "public_key=" + HEX.formatHex(KEY_A);
        List<String> refused = List.of("1.2.3.4%x:1", "1.2.3.4%1:51820", "[fe80::1%1]:51820", "[fe80::1%eth0]:51820",
                "[fe80::1%]:51820", "%x:1", "localhost:51820", "example.com:51820", "1.2.3:51820", "01.2.3.4:51820",
                "[::ffff:1.2.3.4%x]:1");
        for (String endpoint : refused) {
            assertErrno(-UapiException.EINVAL, List.of(key, "endpoint=" + endpoint));
        }
        InetSocketAddress v4 = UapiSet.endpoint("192.0.2.1:51820");
        InetSocketAddress v6 = UapiSet.endpoint("[2001:db8::1]:1");
        List<String> all = RecordingResolver.lookups();
        assertEquals(List.of(), all.subList(before, all.size()), "names looked up while parsing endpoints");
        assertEquals(new InetSocketAddress(Cidr.host("192.0.2.1").address(), 51820), v4);
        assertEquals(new InetSocketAddress(Cidr.host("2001:db8::1").address(), 1), v6);
    }

    private static void assertErrno(int errno, List<String> lines) {
        UapiException e = assertThrows(UapiException.class, () -> UapiSet.parse(lines), lines.toString());
        assertEquals(errno, e.errno(), lines.toString());
    }

    @Test
    void oversizeLinesAndRequestsAreRefused() throws Exception {
        LineReader longLine = reader("a".repeat(LineReader.MAX_LINE_BYTES + 1) + "\n");
        assertEquals(-UapiException.EMSGSIZE, assertThrows(UapiException.class, longLine::readLine).errno());

        String line = "allowed_ip=10.0.0.0/24\n";
        LineReader huge = reader(line.repeat(LineReader.MAX_REQUEST_BYTES / line.length() + 1) + "\n");
        assertEquals(-UapiException.EMSGSIZE, assertThrows(UapiException.class, huge::readUntilBlank).errno());

        LineReader fits = reader("a".repeat(LineReader.MAX_LINE_BYTES) + "\n\n");
        assertEquals(1, fits.readUntilBlank().size());
        assertNull(reader("get=1").readLine());
    }

    private static LineReader reader(String text) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
