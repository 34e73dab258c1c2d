package io.ocbridge.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {

    private final AllowedIps<String> table = new AllowedIps<>();

    private void insert(String cidr, String peer) {
        table.insert(Cidr.parse(cidr), peer);
    }

    private String lookup(String address) {
        return table.lookup(Cidr.host(address).addressBytes());
    }

    @Test
    void emptyTableFindsNothing() {
        assertNull(lookup("10.0.0.1"));
        assertNull(lookup("::1"));
        assertNull(table.lookupV4(0));
        assertNull(table.lookupV6(0, 0));
    }

    @Test
    void defaultRoutesMatchEverythingInTheirFamilyOnly() {
        insert("0.0.0.0/0", "v4");
        assertEquals("v4", lookup("203.0.113.9"));
        assertEquals("v4", lookup("0.0.0.0"));
        assertEquals("v4", lookup("255.255.255.255"));
        assertNull(lookup("::"));
        insert("::/0", "v6");
        assertEquals("v6", lookup("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertEquals("v4", lookup("10.0.0.1"));
    }

    @Test
    void hostPrefixesMatchOnlyThemselves() {
        insert("192.0.2.1/32", "a");
        insert("2001:db8::1/128", "b");
        assertEquals("a", lookup("192.0.2.1"));
        assertNull(lookup("192.0.2.0"));
        assertNull(lookup("192.0.2.2"));
        assertEquals("b", lookup("2001:db8::1"));
        assertNull(lookup("2001:db8::"));
        assertNull(lookup("2001:db8::1:1"));
    }

    @Test
    void longestPrefixWins() {
        insert("10.0.0.0/8", "wide");
        insert("10.1.0.0/16", "mid");
        insert("10.1.2.0/24", "narrow");
        insert("10.1.2.3/32", "host");
        assertEquals("host", lookup("10.1.2.3"));
        assertEquals("narrow", lookup("10.1.2.4"));
        assertEquals("mid", lookup("10.1.3.0"));
        assertEquals("wide", lookup("10.2.0.0"));
        assertNull(lookup("11.0.0.0"));
        assertEquals("mid", table.lookupV4(ByteBuffer.wrap(new byte[] {10, 1, (byte) 200, 1}).getInt()));
    }

    @Test
    void insertOrderDoesNotMatter() {
        insert("10.1.2.3/32", "host");
        insert("10.1.0.0/16", "mid");
        insert("10.0.0.0/8", "wide");
        insert("10.1.2.0/24", "narrow");
        assertEquals("host", lookup("10.1.2.3"));
        assertEquals("narrow", lookup("10.1.2.4"));
        assertEquals("mid", lookup("10.1.3.0"));
        assertEquals("wide", lookup("10.200.0.0"));
    }

    @Test
    void hostBitsAreMaskedOnInsert() {
        insert("10.77.0.1/24", "a");
        assertEquals("a", lookup("10.77.0.200"));
        assertEquals(List.of(Cidr.parse("10.77.0.0/24")), table.prefixesOf("a"));
    }

    @Test
    void reinsertingAPrefixMovesItToTheNewOwner() {
        insert("172.20.0.0/16", "a");
        insert("172.20.0.0/16", "b");
        assertEquals("b", lookup("172.20.1.1"));
        assertEquals(List.of(), table.prefixesOf("a"));
        assertEquals(List.of(Cidr.parse("172.20.0.0/16")), table.prefixesOf("b"));
    }

    @Test
    void removeValueFallsBackToShorterPrefixes() {
        insert("10.0.0.0/8", "a");
        insert("10.1.0.0/16", "b");
        insert("10.1.1.0/24", "a");
        insert("fd00::/8", "b");
        insert("fd00:1::/32", "c");
        table.removeValue("b");
        assertEquals("a", lookup("10.1.1.1"));
        assertEquals("a", lookup("10.1.2.1"));
        assertNull(lookup("fd00::1"));
        assertEquals("c", lookup("fd00:1::1"));
        assertEquals(List.of(), table.prefixesOf("b"));
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("10.1.1.0/24")), table.prefixesOf("a"));
        table.removeValue("a");
        table.removeValue("c");
        assertNull(lookup("10.1.1.1"));
        assertNull(lookup("fd00:1::1"));
    }

    @Test
    void lookupV6TakesBigEndianHalves() {
        insert("2001:db8:1::/48", "a");
        assertEquals("a", table.lookupV6(0x2001_0db8_0001_0000L, 5));
        assertNull(table.lookupV6(0x2001_0db8_0002_0000L, 5));
    }

    /** One walk for every owner gives what a walk per owner gives, in the same order; owners with nothing are absent. */
    @Test
    void prefixesByOwnerMatchesPrefixesOfEachOwner() {
        Random random = new Random(0x5ca1eL);
        List<String> owners = List.of("a", "b", "c", "d", "e");
        for (int i = 0; i < 2_000; i++) {
            byte[] address = new byte[random.nextBoolean() ? 4 : 16];
            random.nextBytes(address);
            table.insert(address, random.nextInt(address.length * 8 + 1), owners.get(random.nextInt(4)));
        }
        table.removeValue("b");
        var byOwner = table.prefixesByOwner();
        for (String owner : owners) {
            List<Cidr> each = table.prefixesOf(owner);
            assertEquals(each.isEmpty() ? null : each, byOwner.get(owner), owner);
        }
        assertEquals(java.util.Set.of("a", "c", "d"), byOwner.keySet());
    }

    /** Random prefixes, owners, removals and lookups, checked against a linear scan. */
    @Test
    void matchesNaiveModel() {
        Random random = new Random(0x0cb1d9eL);
        List<Cidr> prefixes = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        AllowedIps<Integer> trie = new AllowedIps<>();
        for (int round = 0; round < 6000; round++) {
            int op = random.nextInt(100);
            if (op < 80) {
                Cidr prefix = randomPrefix(random).masked();
                int owner = random.nextInt(64);
                trie.insert(prefix, owner);
                int existing = prefixes.indexOf(prefix);
                if (existing >= 0) {
                    owners.set(existing, owner);
                } else {
                    prefixes.add(prefix);
                    owners.add(owner);
                }
            } else if (op < 83) {
                Integer owner = random.nextInt(64);
                trie.removeValue(owner);
                for (int i = prefixes.size() - 1; i >= 0; i--) {
                    if (owners.get(i).equals(owner)) {
                        prefixes.remove(i);
                        owners.remove(i);
                    }
                }
            }
            for (int probe = 0; probe < 4; probe++) {
                Cidr address = probe < 2 && !prefixes.isEmpty()
                        ? near(prefixes.get(random.nextInt(prefixes.size())), random)
                        : randomHost(random);
                Integer expected = naiveLookup(prefixes, owners, address);
                Integer actual = address.isIpv6()
                        ? trie.lookupV6(address.high(), address.low())
                        : trie.lookupV4((int) (address.high() >>> 32));
                assertEquals(expected, actual, () -> "lookup " + address.addressString() + " in " + prefixes);
            }
        }
        for (int owner = 0; owner < 64; owner++) {
            List<Cidr> expected = new ArrayList<>();
            for (int i = 0; i < prefixes.size(); i++) {
                if (owners.get(i) == owner) {
                    expected.add(prefixes.get(i));
                }
            }
            List<Cidr> actual = trie.prefixesOf(owner);
            assertEquals(expected.size(), actual.size());
            assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(actual));
        }
    }

    private static Integer naiveLookup(List<Cidr> prefixes, List<Integer> owners, Cidr host) {
        Integer best = null;
        int bestLength = -1;
        for (int i = 0; i < prefixes.size(); i++) {
            Cidr prefix = prefixes.get(i);
            if (prefix.overlaps(host) && prefix.prefixLength() > bestLength) {
                best = owners.get(i);
                bestLength = prefix.prefixLength();
            }
        }
        return best;
    }

    /** Random prefixes clustered in a few leading bits so that they nest and collide often. */
    private static Cidr randomPrefix(Random random) {
        boolean v6 = random.nextInt(3) == 0;
        if (v6) {
            long high = (random.nextLong() & 0x0F0F_0000_0000_00FFL) | 0xFD00_0000_0000_0000L;
            long low = random.nextInt(4) == 0 ? random.nextLong() : 0;
            return new Cidr(Cidr.Family.IPV6, high, low, random.nextInt(129));
        }
        int address = (random.nextInt() & 0x0F0F_03FF) | 0x0A00_0000;
        return Cidr.ofV4(address, random.nextInt(33));
    }

    private static Cidr randomHost(Random random) {
        Cidr prefix = randomPrefix(random);
        return new Cidr(prefix.family(), prefix.high(), prefix.low(), prefix.family().bits());
    }

    /** An address inside {@code prefix} with random host bits. */
    private static Cidr near(Cidr prefix, Random random) {
        long high = prefix.high() | (random.nextLong() & ~Cidr.maskHigh(prefix.prefixLength()));
        long low = prefix.low() | (random.nextLong() & ~Cidr.maskLow(prefix.prefixLength()));
        if (!prefix.isIpv6()) {
            high &= 0xFFFF_FFFF_0000_0000L;
            low = 0;
        }
        return new Cidr(prefix.family(), high, low, prefix.family().bits());
    }
}
