/**
 * One counter per enum value, written by an event loop and read lock-free by status and metrics.
 */
package io.ocbridge.core.counters;
