package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LibcTest {

    @Test
    void describesErrnoByTextAndName() {
        assertEquals("Operation not permitted (EPERM)", Libc.describe(1));
        assertEquals("Resource temporarily unavailable (EAGAIN)", Libc.describe(Libc.EAGAIN));
        assertEquals("TUNSETIFF ocb-corp: Operation not permitted (EPERM)",
                Libc.failure("TUNSETIFF ocb-corp", 1).getMessage());
    }
}
