package io.ocbridge.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Real keepalived (Debian's package) as one gateway of an HA pair runs it: VRRPv3, one instance for the WAN virtual
 * address and one for the LAN virtual address, in one sync group so they move together. Started in the gateway's
 * namespace as {@code keepalived -n -l -P} with pid files of its own; keepalived's VRRP child is a second process
 * that {@link #crash()} kills too.
 */
final class Keepalived {
    /** VRRPv3 advertisement interval: the master is declared dead after about 3 of them. */
    static final String ADVERT_INTERVAL = "0.1";

    private final Background process;
    private final Path vrrpPidFile;

    private Keepalived(Background process, Path vrrpPidFile) {
        this.process = process;
        this.vrrpPidFile = vrrpPidFile;
    }

    /** A pair member's keepalived.conf, as the README gives it. */
    static String config(String routerId, int priority, String wanDevice, String wanVip, String lanDevice,
            String lanVip) {
        return """
                global_defs {
                    router_id %1$s
                    vrrp_version 3
                }
                vrrp_sync_group OCBRIDGE {
                    group {
                        WAN
                        LAN
                    }
                }
                vrrp_instance WAN {
                    state BACKUP
                    interface %3$s
                    virtual_router_id 51
                    priority %2$d
                    advert_int %7$s
                    virtual_ipaddress {
                        %4$s dev %3$s
                    }
                }
                vrrp_instance LAN {
                    state BACKUP
                    interface %5$s
                    virtual_router_id 52
                    priority %2$d
                    advert_int %7$s
                    virtual_ipaddress {
                        %6$s dev %5$s
                    }
                }
                """.formatted(routerId, priority, wanDevice, wanVip, lanDevice, lanVip, ADVERT_INTERVAL);
    }

    /** Starts keepalived in {@code ns} with {@code config}; its files live in the lab's work folder. */
    static Keepalived start(Lab lab, Netns ns, String label, String config) {
        Path dir = lab.workDir().resolve(label);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("keepalived.conf"), config);
            Files.writeString(lab.logFile(label).resolveSibling(label + ".conf"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path vrrpPid = dir.resolve("vrrp.pid");
        var process = lab.start(ns, label, List.of("keepalived", "-n", "-l", "-P",
                "-f", dir.resolve("keepalived.conf").toString(), "-p", dir.resolve("keepalived.pid").toString(),
                "-r", vrrpPid.toString()));
        var keepalived = new Keepalived(process, vrrpPid);
        if (!Wait.until(Duration.ofSeconds(10), () -> keepalived.vrrpPid() > 0 || !process.isAlive())
                || !process.isAlive()) {
            throw new AssertionError("keepalived did not start: " + process.logText());
        }
        return keepalived;
    }

    /** The VRRP child's PID, or 0 before it wrote its pid file. */
    long vrrpPid() {
        try {
            return Files.exists(vrrpPidFile) ? Long.parseLong(Files.readString(vrrpPidFile).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** SIGKILL to the VRRP child and to keepalived: no priority-0 advert, the virtual addresses stay where they are. */
    void crash() {
        long child = vrrpPid();
        if (child > 0) {
            ProcessHandle.of(child).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> p).join();
            });
        }
        process.kill();
    }

    Background process() {
        return process;
    }
}
