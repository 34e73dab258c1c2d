package io.ocbridge.crypto.wire;

import io.ocbridge.crypto.Protocol;

/** mac1 and mac2 trail every handshake message, so their offsets follow from its length. */
public final class Macs {

    private Macs() {
    }

    public static int mac1Offset(int messageLength) {
        return messageLength - 2 * Protocol.MAC_SIZE;
    }

    public static int mac2Offset(int messageLength) {
        return messageLength - Protocol.MAC_SIZE;
    }
}
