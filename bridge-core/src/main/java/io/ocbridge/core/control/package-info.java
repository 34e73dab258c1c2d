/**
 * The control socket ({@code status}, {@code reload}) and its status document, schema 1 ({@code StatusJson});
 * bounded accept loops with deadlines and checked socket directories. Used by the daemon (server) and the CLI
 * (client).
 */
package io.ocbridge.core.control;
