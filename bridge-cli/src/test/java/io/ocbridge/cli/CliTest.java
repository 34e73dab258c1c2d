package io.ocbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI through picocli's execute(), with captured stdout/stderr, as a user sees it. */
class CliTest {
    @TempDir
    Path dir;

    private static CliRun run(String stdin, String... args) {
        return CliRun.withStdin(stdin, args);
    }

    @Test
    void genkeyThenPubkeyMatchesWireGuardTools() throws Exception {
        CliRun key = run("", "genkey");
        assertEquals(0, key.exit());
        String privateKey = key.out().trim();
        assertTrue(privateKey.matches("[A-Za-z0-9+/]{43}="), privateKey.length() + " chars");
        CliRun pub = run(privateKey + "\n", "pubkey");
        assertEquals(0, pub.exit(), pub.err());
        Path wg = Path.of("/usr/bin/wg");
        Assumptions.assumeTrue(Files.isExecutable(wg), "wireguard-tools not installed");
        Process process = new ProcessBuilder(wg.toString(), "pubkey").start();
        process.getOutputStream().write((privateKey + "\n").getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().close();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        String expected = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertEquals(expected, pub.out().trim());
    }

    @Test
    void pubkeyRejectsGarbageWithOneLineAndExit2() {
        CliRun run = run("not a key\n", "pubkey");
        assertEquals(2, run.exit());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("invalid private key"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void genkeyOutCreatesA0600FileAndNeverOverwrites() throws Exception {
        Path file = dir.resolve("site.key");
        assertEquals(0, run("", "genkey", "--out", file.toString()).exit());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String first = Files.readString(file);
        CliRun again = run("", "genkey", "--out", file.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("already exists"), again.err());
        assertEquals(first, Files.readString(file), "the existing key is untouched");
    }

    @Test
    void genpskPrintsAKey() {
        CliRun run = run("", "genpsk");
        assertEquals(0, run.exit());
        assertTrue(run.out().trim().matches("[A-Za-z0-9+/]{43}="));
    }

    @Test
    void upWithoutConfigIsAUsageError() {
        CliRun run = run("", "up");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--config"), run.err());
    }

    @Test
    void upWithInvalidConfigReportsFileLineAndExits2() throws Exception {
        Path config = dir.resolve("site.yaml");
        Files.writeString(config, "site: Bad_Name\noverlays: []\nprivate-key-file: nope.key\nbogus: 1\n");
        CliRun run = run("", "up", "-c", config.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains(config + ":"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void unknownCommandAndBadLogLevelAreUsageErrors() throws Exception {
        assertEquals(2, run("", "frobnicate").exit());
        Path config = dir.resolve("x.yaml");
        Files.writeString(config, "site: x\n");
        assertEquals(2, run("", "up", "-c", config.toString(), "--log-level", "loud").exit());
    }

    @Test
    void versionAndHelp() {
        CliRun version = run("", "version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("ocbridge "), version.out());
        CliRun help = run("", "--help");
        assertEquals(0, help.exit());
        for (String command : new String[] {"up", "genkey", "pubkey", "genpsk", "version"}) {
            assertTrue(help.out().contains(command), command);
            assertEquals(0, run("", command, "--help").exit(), command);
        }
    }
}
