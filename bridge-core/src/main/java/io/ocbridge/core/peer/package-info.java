/**
 * One remote site's state: sessions ({@code Keypairs}), the whitepaper's timers as deadline fields, staged
 * packets, counters; the index table from receiver index to session. Owned by the overlay's event loop.
 */
package io.ocbridge.core.peer;
