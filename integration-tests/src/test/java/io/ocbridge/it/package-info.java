/**
 * Integration tests: real network namespaces, real TUN devices, the real {@code bin/ocbridge} and real wireguard-go.
 * Root only; a non-root run skips. Run with {@code ./mvnw -B -pl integration-tests test -Pintegration}.
 *
 * <p>Fixture, one idea per class: {@link io.ocbridge.it.Cmd} (bounded command from an argument list, run by the
 * demo's {@code BoundedCommand}), {@link io.ocbridge.it.Background} (long-running process, log file, stopped by PID),
 * {@link io.ocbridge.it.Netns} (one namespace, through the demo's {@code NamespaceCommands}),
 * {@link io.ocbridge.it.Lab} (owns and cleans up the namespaces, processes, sockets and files of one test),
 * {@link io.ocbridge.it.Topology} (L3: hostA - gwA = gwB - hostB), {@link io.ocbridge.it.L2Topology} (a LAN bridge
 * per site, enterprise hosts and a DHCP server in the DC, a VM per cloud site),
 * {@link io.ocbridge.it.Site} and {@link io.ocbridge.it.Keys} (who is who), {@link io.ocbridge.it.WireGuardGo} and
 * {@link io.ocbridge.it.OcbridgeDaemon} (the two tunnel implementations), {@link io.ocbridge.it.KernelVxlan} (the
 * stock L2 attachment), {@link io.ocbridge.it.SiteConfig} (the yaml, segments included),
 * {@link io.ocbridge.it.DhcpServer} (dnsmasq) and {@link io.ocbridge.it.DhcpClient} (udhcpc with our own hook),
 * {@link io.ocbridge.it.Ping} and {@link io.ocbridge.it.Transfer} (traffic), {@link io.ocbridge.it.L2Checks} (what
 * every segment test asserts; ping summaries, MACs, leased addresses and neighbour entries are read by the demo's
 * {@code PingCommand} and {@code LinkChecks}, which make the same checks), {@link io.ocbridge.it.Wait} (deadlines), {@link io.ocbridge.it.UnderlayFlood} (hostile
 * UDP from {@code Topology.attacker}'s many addresses), {@link io.ocbridge.it.OverlayCounters} (drop and handshake
 * counters from {@code status --json}), {@link io.ocbridge.it.ProcessStats} (a daemon's CPU time and live heap),
 * {@link io.ocbridge.it.Summary} and {@link io.ocbridge.it.SummaryListener} (the {@code SUMMARY} lines of a run),
 * {@link io.ocbridge.it.RawFrames} (hand-made frames, built with bridge-core's test kit {@code io.ocbridge.core.testing}).
 *
 * <p>Rules the fixture keeps: no address or route in the root namespace (veths are created inside namespaces with the
 * peer placed straight into the other); names carry the JVM PID; every wait has a deadline; processes are stopped by
 * their own PID (SIGTERM, then SIGKILL after 10 s); {@code Lab.close()} fails the test if anything is left. DHCP never
 * touches a root-namespace file: dnsmasq reads no system config and writes its leases into the lab's folder, and
 * udhcpc's hook only assigns the address (no {@code /etc/netns/<ns>/} is created, so a resolv.conf write would hit the
 * host's: there is none).
 * Logs: {@code integration-tests/target/it-logs/<test>/<process>.log}; their tails are printed when a test fails.
 *
 * <p>{@code ReferenceWireGuardTest} (wireguard-go on both gateways) and {@code ReferenceL2Test} (wireguard-go plus kernel
 * vxlan) check the fixture and print the yardstick figures. To check the ocbridge tests themselves (L2 segments
 * included) against a known-good implementation, add
 * {@code -Docbridge.it.launcher=integration-tests/src/test/resources/wireguard-go-as-ocbridge.sh}.
 */
package io.ocbridge.it;
