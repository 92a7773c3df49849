package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The classifier decides from literals alone: parsing a literal never touches the network. */
class InternalAddressesTest {
    private static final String[] INTERNAL = {
        // IPv4
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "0.0.0.0", "0.1.2.3", "100.64.0.1", "100.127.255.255", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7",
        "203.0.113.9", "192.88.99.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
        // plain IPv6
        "::", "::1", "fe80::1", "febf::1", "fec0::1", "fd00::1", "fc00::1", "ff02::1", "100::1", "2001:db8::1",
        "2001:10::1", "2001:20::1", "4000::1", "e000::1",
        // IPv4-mapped (Java turns these into IPv4) and IPv4-compatible
        "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:a9fe:a9fe", "::7f00:1", "::127.0.0.1", "::a00:1", "::a9fe:a9fe",
        // IPv4-translated (SIIT)
        "::ffff:0:7f00:1", "::ffff:0:a9fe:a9fe", "::ffff:0:c0a8:101",
        // NAT64 well-known prefix, and the local-use prefix as a whole
        "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b::10.1.2.3", "64:ff9b:1::808:808", "64:ff9b:1:ffff::1",
        "64:ff9b:0:1::808:808",
        // 6to4
        "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101:1::1", "2002:a00:1::",
        // Teredo: client 127.0.0.1 obfuscated (XOR ffff:ffff) behind a public server, and an internal server
        "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:5ef5:79fb::80ff:fffe", "2001:0:a00:1:0:0:f7f7:f7f7",
        "2001:0:4136:e378:8000:63bf:5601:5601",
    };
    private static final String[] EXTERNAL = {
        "8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "93.184.216.34", "11.0.0.1", "223.255.255.254",
        "2001:4860:4860::8888", "2606:4700::1111", "2a00:1450:4001::1", "3fff:ffff::1",
        "::808:808", "::ffff:0:808:808", "64:ff9b::808:808", "2002:808:808::1",
        "2001:0:4136:e378:8000:63bf:f7f7:fbfb",
    };

    @Test
    void internalAndEmbeddedInternalAddressesAreRefusedAndPublicOnesPass() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String a : INTERNAL) {
            if (!InternalAddresses.isInternal(InetAddress.getByName(a))) wrong.add(a + " passed as external");
        }
        for (String a : EXTERNAL) {
            if (InternalAddresses.isInternal(InetAddress.getByName(a))) wrong.add(a + " refused as internal");
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void ipv6LiteralsThatEmbedIpv4StayIpv6ForTheClassifier() throws Exception {
        // the embedded forms must reach the IPv6 branch; Java only unwraps ::ffff:a.b.c.d itself
        for (String a : new String[] {"::7f00:1", "::ffff:0:7f00:1", "64:ff9b::7f00:1", "2002:7f00:1::1"}) {
            assertEquals(16, InetAddress.getByName(a).getAddress().length, a);
        }
    }
}
