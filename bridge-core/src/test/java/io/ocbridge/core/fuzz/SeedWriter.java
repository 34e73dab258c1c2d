package io.ocbridge.core.fuzz;

import io.ocbridge.core.testing.Ipv4Packets;
import io.ocbridge.crypto.keys.PrivateKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Regenerates the checked-in regression inputs (src/test/resources/io/ocbridge/core/fuzz/*Inputs/):
 * {@code ./mvnw -pl bridge-core test -Dtest=SeedWriter -Dfuzz.writeSeeds=true}. Existing files are kept.
 */
@EnabledIfSystemProperty(named = "fuzz.writeSeeds", matches = "true")
class SeedWriter {
    private static final Path ROOT = Paths.get("src/test/resources/io/ocbridge/core/fuzz");

    @Test
    void write() throws Exception {
        List<byte[]> frames = Seeds.frames();
        List<byte[]> clamp = new ArrayList<>();
        List<byte[]> segment = new ArrayList<>();
        for (byte[] f : frames) {
            clamp.add(Seeds.concat(new byte[] {0x55}, f));
            for (int control : new int[] {0x00, 0x01, 0x02, 0x03, 0x07, 0x13}) {
                segment.add(Seeds.concat(new byte[] {(byte) control}, f));
            }
        }
        clamp.add(Seeds.concat(new byte[] {0x00}, Seeds.tcpSyn(false, false, 1460)));
        clamp.add(Seeds.concat(new byte[] {(byte) 0xff}, Seeds.tcpSyn(true, true, 9000)));
        save("PacketFuzzTest", "mssClamp", clamp);
        save("SegmentFuzzTest", "frames", segment);

        List<byte[]> fragments = Seeds.fragments(1600, 576, 11);
        List<byte[]> reversed = new ArrayList<>(fragments);
        Collections.reverse(reversed);
        List<byte[]> duplicated = new ArrayList<>(fragments);
        duplicated.add(1, fragments.get(0));
        List<byte[]> reassembly = new ArrayList<>();
        reassembly.add(Seeds.records(fragments));
        reassembly.add(Seeds.records(reversed));
        reassembly.add(Seeds.records(duplicated));
        reassembly.add(Seeds.records(List.of(Ipv4Packets.udp(Seeds.IP_LOCAL, Seeds.IP_REMOTE, 100, 3))));
        reassembly.add(Seeds.records(Seeds.fragments(9000, 1500, 12)));
        reassembly.add(Seeds.records(List.of(fragments.get(0), Seeds.fragments(3000, 1000, 13).get(0), fragments.get(1))));
        byte[] late = Seeds.records(fragments);
        late[0] = 0x7f;  // the first fragment after a long pause: expires what is pending
        reassembly.add(late);
        save("PacketFuzzTest", "ipv4Reassembly", reassembly);

        String pub = HexFormat.of().formatHex(PrivateKey.fromBase64(OutsideFuzzTest.KEY_A).publicKey().bytes());
        String priv = "e0" + "11".repeat(31);
        save("TextFuzzTest", "uapiSet", List.of(
                utf8("private_key=" + priv + "\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n"),
                utf8("public_key=" + pub + "\nendpoint=192.0.2.2:51820\nreplace_allowed_ips=true\nallowed_ip=10.77.0.2/32\n"
                        + "allowed_ip=fd77::2/128\npersistent_keepalive_interval=25\n"),
                utf8("public_key=" + pub + "\nupdate_only=true\npreshared_key=" + priv + "\nendpoint=[2001:db8::2]:51820\n"),
                utf8("public_key=" + pub + "\nremove=true\n"),
                utf8("listen_port=70000\n"),
                utf8("public_key=" + pub + "\nallowed_ip=10.0.0.0/33\n")));

        String pubB64 = PrivateKey.fromBase64(OutsideFuzzTest.KEY_A).publicKey().toBase64();
        String base = """
                site: dc-east
                private-key-file: keys/site.key
                overlays:
                  - name: corp
                    device: ocb-corp
                    listen-port: 51820
                    addresses: [10.77.0.1/24, fd77::1/64]
                    mtu: 1380
                    peers:
                      - name: cloud-a
                        public-key: KEY
                        preshared-key-file: keys/psk
                        endpoint: 192.0.2.2:51820
                        allowed-ips: [10.77.0.2/32, 172.20.0.0/16]
                        persistent-keepalive: 25
                """.replace("KEY", pubB64);
        List<byte[]> configs = new ArrayList<>();
        configs.add(utf8(base));
        configs.add(utf8(base + """
                    segments:
                      - name: lan
                        vni: 100
                        device: ocb-lan
                        relay: false
                        flood-limit: 1000
                        arp-suppression: true
                        dhcp: allow
                """));
        configs.add(utf8("a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n"));
        configs.add(utf8("site: [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]\n"));
        configs.add(utf8("site: dc\noverlays: !!java.util.Date {}\n"));
        configs.add(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, 's', ':', ' ', (byte) 0xff, '\n'});
        for (Path example : List.of(Paths.get("../configs/cloud-a.yaml"), Paths.get("../configs/dc-east.yaml"))) {
            String text = Files.readString(example).replaceAll("private-key-file: .*", "private-key-file: keys/site.key")
                    .replaceAll("preshared-key-file: .*", "preshared-key-file: keys/psk")
                    .replaceAll("REPLACE-WITH-[a-z-]+-PUBLIC-KEY=", pubB64);
            configs.add(utf8(text));
        }
        save("TextFuzzTest", "siteConfig", configs);

        OutsideFuzzTest.Harness harness = new OutsideFuzzTest.Harness();
        List<byte[]> datagrams = new ArrayList<>(harness.captured);
        byte[] withMacs = harness.captured.get(0).clone();
        withMacs[0] = 0x20;
        datagrams.add(withMacs);
        datagrams.add(new byte[] {0x10, 1, 0, 0, 0});
        save("OutsideFuzzTest", "datagrams", datagrams);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void save(String test, String method, List<byte[]> inputs) throws IOException, java.security.NoSuchAlgorithmException {
        Path dir = ROOT.resolve(test + "Inputs").resolve(method);
        Files.createDirectories(dir);
        for (byte[] input : inputs) {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(input));
            Files.write(dir.resolve("seed-" + sha.substring(0, 16)), input);
        }
    }
}
