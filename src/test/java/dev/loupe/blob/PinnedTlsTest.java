package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https to a pinned address still sends the URL's host as SNI and verifies the certificate
 * against that name. The certificate is made by keytool for {@code cdn.pinned.test}; names
 * resolve to a public address whose connections the test carries to a loopback TLS server.
 */
class PinnedTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final byte[] BODY = "tls bytes".getBytes(StandardCharsets.US_ASCII);
    private static SSLContext server;
    private static SSLContext client;

    @BeforeAll
    static void certificate(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=cdn.pinned.test",
                "-ext", "SAN=dns:cdn.pinned.test", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
    }

    @Test
    void theCertificateIsVerifiedForTheUrlsHostAndTheHostIsSentAsSni() throws Exception {
        try (RawHttpServer host = tlsServer()) {
            UrlFetcher fetcher = fetcherThrough(host);
            assertArrayEquals(BODY, fetcher.fetch(URI.create("https://cdn.pinned.test/a.jpg")).bytes());
            assertEquals(List.of("cdn.pinned.test"), host.serverNames);
            assertTrue(host.requests.getFirst().contains("\r\nHost: cdn.pinned.test\r\n"), host.requests.getFirst());
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefusedBeforeAnyRequest() throws Exception {
        try (RawHttpServer host = tlsServer()) {
            BlobException e = assertThrows(BlobException.class,
                    () -> fetcherThrough(host).fetch(URI.create("https://other.pinned.test/a.jpg")));
            assertTrue(e.getMessage().contains("https://other.pinned.test/a.jpg"), e.getMessage());
            // same trust as the test above, so the name is what fails: the certificate names cdn.pinned.test only
            SSLHandshakeException handshake = assertInstanceOf(SSLHandshakeException.class, e.getCause());
            assertInstanceOf(CertificateException.class, handshake.getCause(), handshake.toString());
            assertEquals(List.of(), host.requests);
        }
    }

    private static RawHttpServer tlsServer() throws IOException {
        return new RawHttpServer(server.getServerSocketFactory().createServerSocket(), (head, out) -> RawHttpServer.respond(out,
                "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length + "\r\n\r\n", BODY));
    }

    private static UrlFetcher fetcherThrough(RawHttpServer host) throws IOException {
        InetAddress pretend = InetAddress.getByName("93.184.216.34"); // a literal: parsed, never contacted
        return new UrlFetcher(UrlFetcher.Options.defaults(false, 1000), name -> List.of(pretend), (address, timeout) -> {
            if (!address.getAddress().equals(pretend)) throw new IOException("test connector refuses " + address);
            return UrlFetcher.Connector.PLAIN.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), host.port()), timeout);
        }, client.getSocketFactory());
    }
}
