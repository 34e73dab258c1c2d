package io.ocbridge.core.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * The name resolver of this module's tests (registered in META-INF/services): records every name looked up, so a
 * test can show a parser never touched DNS, and answers the rest through the JDK's own resolver. A name with a
 * {@code %} is never a host name; it is refused here rather than sent to a DNS server.
 */
public final class RecordingResolver extends InetAddressResolverProvider {
    private static final Queue<String> LOOKUPS = new ConcurrentLinkedQueue<>();

    /** Every name looked up so far, in order. */
    public static List<String> lookups() {
        return List.copyOf(LOOKUPS);
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                LOOKUPS.add(host);
                if (host.indexOf('%') >= 0) {
                    throw new UnknownHostException(host + ": not looked up by the test resolver");
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "ocbridge-test-recording";
    }
}
