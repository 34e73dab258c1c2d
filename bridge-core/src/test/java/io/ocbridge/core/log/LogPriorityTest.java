package io.ocbridge.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.logging.InternalLogger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogPriorityTest {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Log.setOutput(System.err);
        Log.setThreshold(Log.Level.INFO);
    }

    private String[] lines() {
        return written.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void journalLinesStartWithTheirSyslogPriority() {
        Log.setOutput(new PrintStream(written, true, StandardCharsets.UTF_8), true);
        Log.setThreshold(Log.Level.DEBUG);
        Log log = Log.with("site=x");
        log.debug("a", "");
        log.info("b", "");
        log.warn("c", "");
        log.error("d", "");
        String[] lines = lines();
        assertTrue(lines[0].startsWith("<7>") && lines[0].contains(" DEBUG a site=x"), lines[0]);
        assertTrue(lines[1].startsWith("<6>") && lines[1].contains(" INFO b"), lines[1]);
        assertTrue(lines[2].startsWith("<4>") && lines[2].contains(" WARN c"), lines[2]);
        assertTrue(lines[3].startsWith("<3>") && lines[3].contains(" ERROR d"), lines[3]);
    }

    @Test
    void noPrefixOutsideTheJournal() {
        Log.setOutput(new PrintStream(written, true, StandardCharsets.UTF_8));
        Log.with("").info("b", "");
        assertFalse(lines()[0].startsWith("<"), lines()[0]);
    }

    @Test
    void journalStreamMustNameStderrItself() {
        assertTrue(JournalStream.matches("2049:123456", 2049, 123456));
        assertFalse(JournalStream.matches("2049:123456", 2049, 7));
        assertFalse(JournalStream.matches("garbage", 2049, 123456));
        assertFalse(JournalStream.matches("a:b", 2049, 123456));
        // This JVM's stderr is not the journal the variable could name.
        assertFalse(JournalStream.isStderr("1:1"));
        assertFalse(JournalStream.isStderr(null));
    }

    @Test
    void nettyLinesGoThroughLogInItsFormat() {
        Log.setOutput(new PrintStream(written, true, StandardCharsets.UTF_8), true);
        InternalLogger netty = new NettyLog.Factory().logger("io.netty.util.internal.MacAddressUtil");
        netty.warn("Failed to find a usable hardware address; using random bytes: {}", "58:e0");
        netty.debug("not shown at INFO");
        netty.info("with {} and {} and a cause", 1, 2, new IllegalStateException("boom"));
        String[] lines = lines();
        assertEquals(2, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("<4>") && lines[0].endsWith(" WARN netty logger=MacAddressUtil "
                + "message=\"Failed to find a usable hardware address; using random bytes: 58:e0\""), lines[0]);
        assertTrue(lines[1].endsWith(" INFO netty logger=MacAddressUtil message=\"with 1 and 2 and a cause\" "
                + "error=\"java.lang.IllegalStateException: boom\""), lines[1]);
    }

    @Test
    void formatFillsPlaceholdersInOrder() {
        assertEquals("a 1 b 2 c {}", NettyLog.format("a {} b {} c {}", 1, 2));
        assertEquals("no placeholders", NettyLog.format("no placeholders", 1));
    }
}
