/**
 * Copies and checksums through a Netty buffer's cached NIO view, so the data path does not build views per
 * packet.
 */
package io.ocbridge.core.buffer;
