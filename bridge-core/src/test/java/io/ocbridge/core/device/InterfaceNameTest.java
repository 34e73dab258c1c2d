package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What Linux accepts as an interface name, checked before any device is made. */
class InterfaceNameTest {

    @Test
    void interfaceNameRules() {
        assertEquals(null, InterfaceName.problem("ocb-corp"));
        assertEquals(null, InterfaceName.problem("abcdefghijklmno"));
        assertEquals("is 16 characters; Linux allows at most 15", InterfaceName.problem("abcdefghijklmnop"));
        assertEquals("must not be empty", InterfaceName.problem(""));
        assertEquals("must not be . or ..", InterfaceName.problem(".."));
        assertEquals("may contain only printable ASCII other than '/', ':' and spaces", InterfaceName.problem("eth0:1"));
    }
}
