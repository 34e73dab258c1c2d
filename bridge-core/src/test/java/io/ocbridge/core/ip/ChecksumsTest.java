package io.ocbridge.core.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumsTest {

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    @Test
    void classicIpv4HeaderChecksumIsB861() {
        ByteBuf header = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        try {
            assertEquals((short) 0xb861, Checksums.ipv4Header(header, 0), "field read as zero");
            header.setShort(10, 0);
            assertEquals((short) 0xb861, Checksums.ipv4Header(header, 0));
            header.setShort(10, 0xb861);
            assertEquals(0xFFFF, Checksums.sum(header, 0, 20, 0), "a correct header sums to all ones");
        } finally {
            header.release();
        }
    }

    @Test
    void ipv4HeaderAtAnOffsetCoversOptions() {
        ByteBuf buf = hex("dead beef 4600 0078 0000 4000 4011 0000 c0a8 0001 c0a8 00c7 0101 0100");
        try {
            short checksum = Checksums.ipv4Header(buf, 4);
            buf.setShort(14, checksum);
            assertEquals(0xFFFF, Checksums.sum(buf, 4, 24, 0));
        } finally {
            buf.release();
        }
    }

    @Test
    void rfc1071NumericalExample() {
        ByteBuf buf = hex("0001 f203 f4f5 f6f7");
        try {
            assertEquals(0xddf2, Checksums.sum(buf, 0, 8, 0));
            assertEquals((short) 0x220d, Checksums.finish(Checksums.sum(buf, 0, 8, 0)));
            assertEquals(0xddf2, Checksums.sum(buf, 4, 4, Checksums.sum(buf, 0, 4, 0)), "sums chain");
            assertEquals(0xddf2, Checksums.sum(buf, 2, 6, Checksums.sum(buf, 0, 2, 0)), "sums chain at any even split");
        } finally {
            buf.release();
        }
    }

    @Test
    void oddTrailingByteIsPaddedWithZero() {
        ByteBuf buf = hex("0102 03");
        try {
            assertEquals(0x0102 + 0x0300, Checksums.sum(buf, 0, 3, 0));
            assertEquals(0x0100, Checksums.sum(buf, 0, 1, 0));
            assertEquals(0, Checksums.sum(buf, 0, 0, 0));
            assertEquals((short) 0xFFFF, Checksums.finish(0));
        } finally {
            buf.release();
        }
    }

    @Test
    void largeInputsAndUnfoldedInitialValuesDoNotOverflow() {
        ByteBuf buf = Unpooled.buffer(65536);
        try {
            buf.writeZero(65536);
            for (int i = 0; i < 65536; i++) {
                buf.setByte(i, 0xFF);
            }
            assertEquals(0xFFFF, Checksums.sum(buf, 0, 65536, 0));
            assertEquals(0xFFFF, Checksums.sum(buf, 0, 65536, 0xFFFF_FFFF));
            assertEquals(Checksums.finish(0x1_0001), Checksums.finish(0x0002));
        } finally {
            buf.release();
        }
    }

    @Test
    void incrementalUpdateEqualsFullRecompute() {
        Random random = new Random(1071_1624L);
        ByteBuf buf = Unpooled.buffer(64);
        try {
            for (int round = 0; round < 20_000; round++) {
                int length = 4 + 2 * random.nextInt(30);
                buf.clear();
                buf.writeShort(0x4500); // never all zero, as in IP and TCP: there +0 and -0 would differ
                for (int i = 2; i < length; i++) {
                    buf.writeByte(random.nextInt(4) == 0 ? 0xFF : random.nextInt(256)); // many all-ones words
                }
                short checksum = Checksums.finish(Checksums.sum(buf, 0, length, 0));
                int changes = 1 + random.nextInt(3);
                for (int c = 0; c < changes; c++) {
                    int at = 2 + 2 * random.nextInt(length / 2 - 1);
                    short oldValue = buf.getShort(at);
                    short newValue = switch (random.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> (short) 0xFFFF;
                        default -> (short) random.nextInt(65536);
                    };
                    buf.setShort(at, newValue);
                    checksum = Checksums.update(checksum, oldValue, newValue);
                }
                assertEquals(Checksums.finish(Checksums.sum(buf, 0, length, 0)), checksum, "round " + round);
            }
        } finally {
            buf.release();
        }
    }
}
