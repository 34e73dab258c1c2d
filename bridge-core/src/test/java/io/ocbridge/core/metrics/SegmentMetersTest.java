package io.ocbridge.core.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.ocbridge.core.l2.Segment;
import io.ocbridge.core.l2.SegmentOptions;
import io.ocbridge.core.l2.SegmentSpec;
import io.ocbridge.core.l2.Vxlan;
import io.ocbridge.core.log.Log;
import io.ocbridge.core.peer.Peer;
import io.ocbridge.core.testing.NoLeaks;
import io.ocbridge.crypto.cookie.CookieGenerator;
import io.ocbridge.crypto.keys.PresharedKey;
import io.ocbridge.crypto.keys.PrivateKey;
import io.ocbridge.crypto.keys.PublicKey;
import io.ocbridge.crypto.noise.LocalIdentity;
import io.ocbridge.crypto.noise.PeerHandshake;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SegmentMetersTest {
    @Test
    void framesByEventAndMacTableSize() {
        PrivateKey local = PrivateKey.generate();
        PublicKey remote = PrivateKey.generate().publicKey();
        Peer peer = new Peer("cloud-a", remote,
                new PeerHandshake(new LocalIdentity(local), remote, PresharedKey.zero(), Clock.systemUTC(), System::nanoTime),
                new CookieGenerator(remote, System::nanoTime), null, 0);
        Segment segment = new Segment(new SegmentSpec("lan", "lan", 100, 0x0a4d0001, 1420, 0, 0, 64,
                300_000_000_000L, SegmentOptions.DEFAULTS),
                List.of(new Segment.Member(peer, 0x0a4d0002)), (p, packet) -> packet.release(),
                frame -> true,
                PooledByteBufAllocator.DEFAULT, System::nanoTime, Log.with("test"));
        ByteBuf packet = PooledByteBufAllocator.DEFAULT.directBuffer(100);
        packet.writeZero(Vxlan.ENCAP_BYTES).writeShort(-1).writeInt(-1).writeShort(0x0200).writeInt(0x0101)
                .writeShort(0x88b5).writeZero(46);
        segment.onRemoteFrame(peer, packet, Vxlan.ENCAP_BYTES);

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SegmentMeters.bind(registry, Tags.of("site", "dc-east", "overlay", "corp"), List.of(segment));
        String body = registry.scrape();
        String tags = "overlay=\"corp\",segment=\"lan\",site=\"dc-east\"";
        assertTrue(body.contains("ocbridge_segment_frames_total{event=\"remote_frames\"," + tags + "} 1.0"), body);
        assertTrue(body.contains("ocbridge_segment_frames_total{event=\"drop_flood_limit\"," + tags + "} 0.0"), body);
        assertTrue(body.contains("ocbridge_segment_mac_table_size{" + tags + "} 1.0"), body);
        local.destroy();
    }
}
