/**
 * The four WireGuard messages as offset constants over byte buffers: initiation, response, cookie reply,
 * transport, and their MAC fields. Pure layout, no logic.
 */
package io.ocbridge.crypto.wire;
