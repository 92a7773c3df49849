package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class UrlFetcherTest {
    @Test
    void internalAddressesAreRecognisedWithoutAnyNetwork() throws Exception {
        for (String a : new String[] {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
                "224.0.0.1", "255.255.255.255"}) {
            assertTrue(UrlFetcher.isInternal(InetAddress.getByName(a)), a);
        }
        for (String a : new String[] {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "93.184.216.34"}) {
            assertFalse(UrlFetcher.isInternal(InetAddress.getByName(a)), a);
        }
    }

    @Test
    void refusedHostsNeverGetAConnection() {
        UrlFetcher fetcher = new UrlFetcher(false, 1 << 20);
        BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create("http://127.0.0.1:1/x.jpg")));
        assertTrue(e.getMessage().contains("internal address"), e.getMessage());
    }
}
