/**
 * The sliding window of received transport counters (the kernel's algorithm): accept each counter once, refuse
 * what falls behind. One owner thread.
 */
package io.ocbridge.crypto.replay;
