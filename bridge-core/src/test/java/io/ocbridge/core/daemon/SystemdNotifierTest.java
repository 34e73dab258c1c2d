package io.ocbridge.core.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SystemdNotifierTest {
    @Test
    void aPathEndsInItsNul() {
        assertArrayEquals(new byte[] {1, 0, '/', 'r', 0}, SystemdNotifier.sockaddr("/r"));
    }

    @Test
    void anAbstractNameStartsWithNulAndHasNoTerminator() {
        assertArrayEquals(new byte[] {1, 0, 0, 'n', 's'}, SystemdNotifier.sockaddr("@ns"));
    }

    @Test
    void tooLongIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SystemdNotifier.sockaddr("/" + "x".repeat(107)));
        assertDoesNotThrow(() -> SystemdNotifier.sockaddr("/" + "x".repeat(106)));
    }
}
