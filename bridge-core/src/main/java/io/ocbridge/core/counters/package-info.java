/**
 * Counting without locks: one counter per enum value, written by an event loop and read by status and metrics; and
 * {@code IntervalGate}, which lets a log line or a retry happen at most once per interval.
 */
package io.ocbridge.core.counters;
