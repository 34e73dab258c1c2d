/**
 * The overlay's UDP socket on Netty's epoll transport, with GSO batches and GRO reads where the kernel has them.
 * Started by the daemon; datagrams go to the overlay's {@code Outside}.
 */
package io.ocbridge.core.transport;
