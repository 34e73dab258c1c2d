/**
 * The YAML site config: reading it with every error as {@code FILE:LINE:COL}, the records it becomes, key files
 * read safely. Called by the daemon and the CLI; calls {@code route}, {@code device} (interface names) and the
 * crypto PKI.
 */
package io.ocbridge.core.config;
