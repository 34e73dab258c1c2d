package io.ocbridge.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.2:51820, 192.0.2.2, 51820",
        "[2001:DB8:0::2]:1, 2001:db8::2, 1",
        "vpn.example.com:65535, vpn.example.com, 65535",
        "gw-1:4500, gw-1, 4500",
    })
    void parsesHostAndPort(String text, String host, int port) {
        Endpoint endpoint = Endpoint.parse(text);
        assertEquals(new Endpoint(host, port), endpoint);
        assertEquals(endpoint, Endpoint.parse(endpoint.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "192.0.2.2|missing :port",
        "192.0.2.2:65536|port must be 1..65535",
        "192.0.2.2:|port must be 1..65535",
        "[192.0.2.2]:1|brackets are for IPv6 addresses only",
        "[::1:1|expected [IPv6-address]:port",
        "::1:51820|write an IPv6 endpoint as [address]:port",
        "300.0.0.1:1|\"300.0.0.1\": not an IPv4 address",
        "-bad.example:1|\"-bad.example\" is not a valid host name",
        "a b:1|\"a b\" is not a valid host name",
    })
    void rejectsWithMessage(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text)).getMessage());
    }
}
