/**
 * Integration tests: real network namespaces, real TUN devices, the real {@code bin/ocbridge} and real wireguard-go.
 * Root only; a non-root run skips. Run with {@code ./mvnw -B -pl integration-tests test -Pintegration}.
 *
 * <p>Fixture, one idea per class: {@link io.ocbridge.it.Cmd} (bounded command from an argument list),
 * {@link io.ocbridge.it.Background} (long-running process, log file, stopped by PID), {@link io.ocbridge.it.Netns},
 * {@link io.ocbridge.it.Topology} (hostA - gwA = gwB - hostB; owns and cleans up everything it starts),
 * {@link io.ocbridge.it.Site} and {@link io.ocbridge.it.Keys} (who is who), {@link io.ocbridge.it.WireGuardGo} and
 * {@link io.ocbridge.it.OcbridgeDaemon} (the two tunnel implementations), {@link io.ocbridge.it.SiteConfig} (the yaml),
 * {@link io.ocbridge.it.Ping} and {@link io.ocbridge.it.Transfer} (traffic), {@link io.ocbridge.it.Wait} (deadlines).
 *
 * <p>Rules the fixture keeps: no address or route in the root namespace (veths are created inside namespaces with the
 * peer placed straight into the other); names carry the JVM PID; every wait has a deadline; processes are stopped by
 * their own PID (SIGTERM, then SIGKILL after 10 s); {@code Topology.close()} fails the test if anything is left.
 * Logs: {@code integration-tests/target/it-logs/<test>/<process>.log}; their tails are printed when a test fails.
 *
 * <p>{@code ReferenceWireGuardTest} (wireguard-go on both gateways) checks the fixture and prints the yardstick figures.
 * To check the ocbridge tests themselves against a known-good implementation, add
 * {@code -Docbridge.it.launcher=integration-tests/src/test/resources/wireguard-go-as-ocbridge.sh}.
 */
package io.ocbridge.it;
