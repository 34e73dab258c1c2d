package io.ocbridge.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReversePathFilterTest {

    /** The kernel takes the larger of {@code all}'s value and the interface's: all=1 makes every interface strict. */
    @Test
    void anInterfaceIsStrictWhenTheLargerOfAllAndItsOwnIsOne(@TempDir Path conf) throws Exception {
        write(conf, Map.of("all", "0", "default", "1", "lo", "1", "eth0", "1", "eth1", "2", "wan0", "0"));
        assertEquals(List.of("eth0"), ReversePathFilter.strictInterfaces(conf));
        write(conf, Map.of("all", "1"));
        assertEquals(List.of("eth0", "wan0"), ReversePathFilter.strictInterfaces(conf), "loose (2) stays loose");
        write(conf, Map.of("all", "2"));
        assertEquals(List.of(), ReversePathFilter.strictInterfaces(conf));
    }

    private static void write(Path conf, Map<String, String> values) throws Exception {
        for (var entry : values.entrySet()) {
            Files.createDirectories(conf.resolve(entry.getKey()));
            Files.writeString(conf.resolve(entry.getKey()).resolve("rp_filter"), entry.getValue() + "\n");
        }
    }
}
