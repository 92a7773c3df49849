package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UrlFetcherTest {
    private static final byte[] BODY = "image bytes".getBytes(StandardCharsets.US_ASCII);
    // A public address the tests pretend names resolve to; the connector below carries every
    // connection meant for it to the loopback test server instead, so no packet leaves loopback.
    private static final InetAddress PUBLIC = literal("93.184.216.34");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static UrlFetcher.Options loopbackAllowed() {
        return UrlFetcher.Options.defaults(true, 1 << 20);
    }

    @Test
    void refusedHostsNeverGetAConnection() {
        UrlFetcher fetcher = new UrlFetcher(false, 1 << 20);
        BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create("http://127.0.0.1:1/x.jpg")));
        assertTrue(e.getMessage().contains("internal address"), e.getMessage());
    }

    @Test
    void theConnectionGoesToTheAddressThatWasCheckedNotToALaterResolution() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> RawHttpServer.respond(out,
                "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length + "\r\nContent-Type: image/jpeg\r\n\r\n", BODY))) {
            // first public, then loopback on every later lookup: a client that resolves again would land on loopback
            AtomicInteger lookups = new AtomicInteger();
            UrlFetcher.Resolver rebinding = host -> List.of(lookups.getAndIncrement() == 0 ? PUBLIC : LOOPBACK);
            Connections connections = new Connections(server);
            UrlFetcher fetcher = new UrlFetcher(UrlFetcher.Options.defaults(false, 1 << 20), rebinding, connections);

            UrlFetcher.Fetched fetched = fetcher.fetch(URI.create("http://cdn.rebind.test/a.jpg"));

            assertArrayEquals(BODY, fetched.bytes());
            assertEquals("image/jpeg", fetched.contentType());
            assertEquals(List.of(new InetSocketAddress(PUBLIC, 80)), connections.asked);
            assertEquals(1, lookups.get(), "the name is resolved once");
            assertTrue(server.requests.getFirst().startsWith("GET /a.jpg HTTP/1.1\r\n"), server.requests.getFirst());
            assertTrue(server.requests.getFirst().contains("\r\nHost: cdn.rebind.test\r\n"), server.requests.getFirst());
        }
    }

    @Test
    void aNameWithAnyInternalAddressIsRefusedBeforeAnyConnection() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> RawHttpServer.respond(out, "HTTP/1.1 200 OK\r\n\r\n", BODY))) {
            Connections connections = new Connections(server);
            for (List<InetAddress> answer : List.of(List.of(LOOPBACK), List.of(PUBLIC, literal("::ffff:0:7f00:1")),
                    List.of(literal("64:ff9b::a9fe:a9fe")), List.of(literal("2002:7f00:1::1")))) {
                UrlFetcher fetcher = new UrlFetcher(UrlFetcher.Options.defaults(false, 1 << 20), host -> answer, connections);
                BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create("http://mixed.test/a.jpg")));
                assertTrue(e.getMessage().contains("internal address"), e.getMessage());
            }
            assertEquals(List.of(), connections.asked);
            assertEquals(List.of(), server.requests);
        }
    }

    @Test
    void redirectsAreCheckedAndPinnedLikeTheFirstRequest() throws Exception {
        List<String> targets = new CopyOnWriteArrayList<>();
        try (RawHttpServer server = new RawHttpServer((head, out) -> {
            String target = head.substring(4, head.indexOf(' ', 4));
            targets.add(target);
            String location = switch (target) {
                case "/to-literal" -> "http://127.0.0.1:1/secret";
                case "/to-name" -> "http://internal.test/secret";
                case "/to-relative" -> "/final.jpg";
                default -> null;
            };
            if (location == null) {
                RawHttpServer.respond(out, "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length + "\r\n\r\n", BODY);
            } else {
                RawHttpServer.respond(out, "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n", new byte[0]);
            }
        })) {
            UrlFetcher.Resolver names = host -> switch (host) {
                case "internal.test" -> List.of(LOOPBACK);
                case "127.0.0.1" -> List.of(LOOPBACK);
                default -> List.of(PUBLIC);
            };
            Connections connections = new Connections(server);
            UrlFetcher fetcher = new UrlFetcher(UrlFetcher.Options.defaults(false, 1 << 20), names, connections);

            for (String path : List.of("/to-literal", "/to-name")) {
                BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create("http://public.test" + path)));
                assertTrue(e.getMessage().contains("internal address 127.0.0.1"), e.getMessage());
            }
            assertArrayEquals(BODY, fetcher.fetch(URI.create("http://public.test/to-relative")).bytes());
            assertEquals(List.of("/to-literal", "/to-name", "/to-relative", "/final.jpg"), targets);
            assertTrue(connections.asked.stream().allMatch(a -> a.getAddress().equals(PUBLIC)), connections.asked.toString());
        }
    }

    @Test
    void aBodyTrickledBelowTheMinimumRateEndsTheFetchNamingTheUrlAndTheBound() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> {
            RawHttpServer.respond(out, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", new byte[0]);
            RawHttpServer.trickle(out, new byte[100000], 20);
        })) {
            UrlFetcher fetcher = new UrlFetcher(loopbackAllowed().withMinimumRate(10_000, Duration.ofMillis(200)));
            String url = server.url("/slow.jpg");
            BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(url)));
            assertTrue(e.getMessage().contains(url), e.getMessage());
            assertTrue(e.getMessage().contains("minimum transfer rate of 10000 bytes/s over 200 ms"), e.getMessage());
        }
    }

    @Test
    void headersTrickledBelowTheMinimumRateAreBoundedToo() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) ->
                RawHttpServer.trickle(out, "HTTP/1.1 200 OK\r\nX-Padding: ".concat("a".repeat(5000)).getBytes(StandardCharsets.US_ASCII), 20))) {
            UrlFetcher fetcher = new UrlFetcher(loopbackAllowed().withMinimumRate(10_000, Duration.ofMillis(200)));
            BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(server.url("/h.jpg"))));
            assertTrue(e.getMessage().contains("minimum transfer rate"), e.getMessage());
        }
    }

    @Test
    void aTransferFastEnoughForTheRateStillEndsAtTheTotalDeadline() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> {
            RawHttpServer.respond(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", new byte[0]);
            byte[] chunk = "400\r\n".concat("b".repeat(1024)).concat("\r\n").getBytes(StandardCharsets.US_ASCII);
            while (true) {
                out.write(chunk);
                out.flush();
                Thread.sleep(5);
            }
        })) {
            UrlFetcher fetcher = new UrlFetcher(new UrlFetcher.Options(true, 1L << 40, Duration.ofSeconds(5), Duration.ofMillis(400),
                    1000, Duration.ofMillis(100), 5));
            BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(server.url("/endless.jpg"))));
            assertTrue(e.getMessage().contains("exceeded the 400 ms total time limit"), e.getMessage());
            assertTrue(e.getMessage().contains(server.url("/endless.jpg")), e.getMessage());
        }
    }

    @Test
    void aServerThatNeverAnswersEndsAtTheTotalDeadlineWithTheRateCheckOff() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> Thread.sleep(Long.MAX_VALUE))) {
            UrlFetcher fetcher = new UrlFetcher(loopbackAllowed().withMinimumRate(0, Duration.ofSeconds(1))
                    .withTotalTimeout(Duration.ofMillis(300)));
            BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(server.url("/silent.jpg"))));
            assertTrue(e.getMessage().contains("exceeded the 300 ms total time limit"), e.getMessage());
        }
    }

    @Test
    void aTlsHandshakeThatNeverCompletesEndsAtTheTotalDeadline() throws Exception {
        // a plain TCP server: it reads the ClientHello and never answers
        try (RawHttpServer server = new RawHttpServer((head, out) -> Thread.sleep(Long.MAX_VALUE))) {
            UrlFetcher fetcher = new UrlFetcher(loopbackAllowed().withTotalTimeout(Duration.ofMillis(300)));
            String url = "https://127.0.0.1:" + server.port() + "/a.jpg";
            BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(url)));
            assertTrue(e.getMessage().contains("exceeded the 300 ms total time limit"), e.getMessage());
        }
    }

    @Test
    void chunkedBodiesAreDecodedAndCappedWhileStreaming() throws Exception {
        byte[] body = new byte[3000];
        for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 7);
        try (RawHttpServer server = new RawHttpServer((head, out) -> {
            out.write("HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            for (int from = 0; from < body.length; from += 1000) {
                out.write((Integer.toHexString(1000) + ";ext=1\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, from, 1000);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\nX-Trailer: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        })) {
            assertArrayEquals(body, new UrlFetcher(loopbackAllowed()).fetch(URI.create(server.url("/c.bin"))).bytes());
            BlobException e = assertThrows(BlobException.class,
                    () -> new UrlFetcher(UrlFetcher.Options.defaults(true, 2500)).fetch(URI.create(server.url("/c.bin"))));
            assertTrue(e.getMessage().contains("over the 2500-byte limit"), e.getMessage());
        }
    }

    @Test
    void aDeclaredLengthOverTheCapOrABodyCutShortIsAnError() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> RawHttpServer.respond(out,
                head.startsWith("GET /big") ? "HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n",
                BODY))) {
            UrlFetcher fetcher = new UrlFetcher(UrlFetcher.Options.defaults(true, 1000));
            BlobException big = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(server.url("/big.jpg"))));
            assertTrue(big.getMessage().contains("999999 bytes, over the 1000-byte limit"), big.getMessage());
            BlobException cut = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create(server.url("/cut.jpg"))));
            assertTrue(cut.getMessage().contains("39 bytes of the declared length still to come"), cut.getMessage());
        }
    }

    @Test
    void aLookupThatNeverReturnsEndsAtTheTotalDeadline() {
        CountDownLatch never = new CountDownLatch(1);
        UrlFetcher.Resolver stuck = host -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                throw new UnknownHostException("interrupted");
            }
            return List.of(PUBLIC);
        };
        List<InetSocketAddress> asked = new CopyOnWriteArrayList<>();
        UrlFetcher fetcher = new UrlFetcher(UrlFetcher.Options.defaults(false, 1000).withTotalTimeout(Duration.ofMillis(200)), stuck,
                (address, timeout) -> {
                    asked.add(address);
                    throw new IOException("no connection expected");
                });
        BlobException e = assertThrows(BlobException.class, () -> fetcher.fetch(URI.create("http://slow-dns.test/a.jpg")));
        assertTrue(e.getMessage().contains("exceeded the 200 ms total time limit while resolving slow-dns.test"), e.getMessage());
        assertEquals(List.of(), asked);
    }

    @Test
    void anAddressThatRefusesTheConnectionGivesWayToTheNextCheckedOne() throws Exception {
        try (RawHttpServer server = new RawHttpServer((head, out) -> RawHttpServer.respond(out,
                "HTTP/1.1 200 OK\r\nContent-Length: " + BODY.length + "\r\n\r\n", BODY))) {
            InetAddress refusing = literal("2606:4700::1111");
            Connections connections = new Connections(server);
            UrlFetcher fetcher = new UrlFetcher(UrlFetcher.Options.defaults(false, 1000), host -> List.of(refusing, PUBLIC), connections);
            assertArrayEquals(BODY, fetcher.fetch(URI.create("http://two.test:8080/a.jpg")).bytes());
            assertEquals(List.of(new InetSocketAddress(refusing, 8080), new InetSocketAddress(PUBLIC, 8080)), connections.asked);
            assertTrue(server.requests.getFirst().contains("\r\nHost: two.test:8080\r\n"), server.requests.getFirst());
        }
    }

    @Test
    void badOptionsAreRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UrlFetcher.Options.defaults(false, 100).withTotalTimeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("totalTimeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UrlFetcher.Options.defaults(false, 100).withMinimumRate(-1, Duration.ofSeconds(1)));
    }

    /** Records every connection asked for and carries the ones meant for {@link #PUBLIC} to the loopback server. */
    private static final class Connections implements UrlFetcher.Connector {
        final List<InetSocketAddress> asked = new CopyOnWriteArrayList<>();
        private final RawHttpServer server;

        Connections(RawHttpServer server) {
            this.server = server;
        }

        @Override
        public java.net.Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException {
            asked.add(address);
            if (!address.getAddress().equals(PUBLIC)) throw new IOException("test connector refuses " + address);
            return UrlFetcher.Connector.PLAIN.connect(new InetSocketAddress(LOOPBACK, server.port()), timeoutMillis);
        }
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
