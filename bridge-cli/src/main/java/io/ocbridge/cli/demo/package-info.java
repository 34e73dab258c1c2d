/**
 * {@code ocbridge demo}: an enterprise LAN stretched to two cloud sites in network namespaces on this host,
 * shown step by step and removed afterwards. Runs the real daemons; never reaches back into the CLI's classes.
 */
package io.ocbridge.cli.demo;
