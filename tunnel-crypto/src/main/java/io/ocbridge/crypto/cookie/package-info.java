/**
 * MAC1/MAC2 and cookie replies (whitepaper §5.4.7): the responder's checker under load, the initiator's
 * generator. Called by the core's handshake path.
 */
package io.ocbridge.crypto.cookie;
