/**
 * The {@code ocbridge} command: one Picocli class per subcommand, {@code Main} registers them. Calls the core
 * (daemon, config, control) and the crypto (keys, PKI); nothing calls it.
 */
package io.ocbridge.cli;
