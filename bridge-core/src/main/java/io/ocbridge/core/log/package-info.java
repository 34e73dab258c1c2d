/**
 * One line per event, {@code time LEVEL event key=value…}, with an sd-daemon priority prefix under the journal;
 * Netty's own logging goes through it too. Every package may call it; it calls nothing of ours. Never a key.
 */
package io.ocbridge.core.log;
