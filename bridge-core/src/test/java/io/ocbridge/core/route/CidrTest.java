package io.ocbridge.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
        "10.77.0.1/24, 10.77.0.1/24",
        "0.0.0.0/0, 0.0.0.0/0",
        "255.255.255.255/32, 255.255.255.255/32",
        "fd00::1/64, fd00::1/64",
        "FD00:0:0:0:0:0:0:1/128, fd00::1/128",
        "::/0, ::/0",
        "::1/128, ::1/128",
        "1::/16, 1::/16",
        "2001:db8:0:0:1:0:0:1/64, 2001:db8::1:0:0:1/64",
        "2001:0:0:1:0:0:0:1/64, 2001:0:0:1::1/64",
        "2001:db8:0:1:1:1:1:1/64, 2001:db8:0:1:1:1:1:1/64",
        "::ffff:192.0.2.1/128, ::ffff:c000:201/128",
    })
    void parsesAndPrintsCanonically(String text, String canonical) {
        assertEquals(canonical, Cidr.parse(text).toString());
        assertEquals(Cidr.parse(text), Cidr.parse(canonical));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33|\"10.0.0.0/33\": prefix length must be 0..32",
        "fd00::/129|\"fd00::/129\": prefix length must be 0..128",
        "10.0.0.0|\"10.0.0.0\": missing /prefix-length",
        "10.0.0/8|\"10.0.0/8\": not an IPv4 address",
        "10.0.0.256/8|\"10.0.0.256/8\": not an IPv4 address",
        "010.0.0.1/8|\"010.0.0.1/8\": not an IPv4 address",
        "10.0.0.1/-1|\"10.0.0.1/-1\": prefix length must be 0..32",
        "1:2:3:4:5:6:7:8:9/64|\"1:2:3:4:5:6:7:8:9/64\": not an IPv6 address: more than 8 groups",
        "1::2::3/64|\"1::2::3/64\": not an IPv6 address: more than one ::",
        "1:2:3/64|\"1:2:3/64\": not an IPv6 address: expected 8 groups",
        "fe80::1%eth0/64|\"fe80::1%eth0/64\": not an IPv6 address",
        "example.com/24|\"example.com/24\": not an IPv4 address",
    })
    void rejectsWithMessage(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "1.2.3.4/", ":/8", "1:/8", ":1::/8", "12345::/8", "1.2.3.4.5/8", " 1.2.3.4/8"})
    void rejectsGarbage(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    }

    @Test
    void masksHostBitsOnRequest() {
        assertEquals("10.77.0.0/24", Cidr.parse("10.77.0.1/24").masked().toString());
        assertEquals("fd00:1::/32", Cidr.parse("fd00:1:2:3::9/32").masked().toString());
        assertEquals("::/0", Cidr.parse("fd00::9/0").masked().toString());
    }

    @Test
    void overlapsWhenOneContainsTheOther() {
        assertTrue(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.1.2.0/24")));
        assertTrue(Cidr.parse("10.1.2.3/32").overlaps(Cidr.parse("10.0.0.0/8")));
        assertFalse(Cidr.parse("10.0.0.0/16").overlaps(Cidr.parse("10.1.0.0/16")));
        assertFalse(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("::/0")));
        assertTrue(Cidr.parse("fd00::/8").overlaps(Cidr.parse("fd12::1/128")));
    }

    @Test
    void convertsToBytesAndBack() {
        Cidr v6 = Cidr.parse("2001:db8::ff/120");
        assertEquals(v6, Cidr.of(v6.addressBytes(), 120));
        assertEquals(Cidr.parse("192.0.2.7/32"), Cidr.ofV4(0xC0000207, 32));
        assertEquals("192.0.2.7", Cidr.parse("192.0.2.7/32").address().getHostAddress());
        assertEquals(Cidr.parse("fd00::1/128"), Cidr.host("fd00::1"));
    }
}
