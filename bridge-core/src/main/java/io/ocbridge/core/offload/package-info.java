/**
 * TUN device offloads (IFF_VNET_HDR with TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), pure and I/O-free.
 *
 * <pre>
 *   inside  (device → network): TUN read = virtio_net_hdr + up to 64 KiB  → TsoSplitter  → wire-sized packets
 *   outside (network → device): decrypted packets of one burst → TcpCoalescer → virtio_net_hdr + packet or super-packet
 * </pre>
 *
 * {@link io.ocbridge.core.offload.VirtioNetHeader} is the 10-byte header in front of both directions. The
 * splitter is stateless; the coalescer holds at most eight flows between a burst's first offer and its flush.
 */
package io.ocbridge.core.offload;
