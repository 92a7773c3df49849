package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.Api;
import dev.loupe.testing.LogCapture;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One log line per request: method, route pattern, status, duration, namespace; never a key, a query or a body. */
class RequestLogTest {
    @TempDir
    static Path data;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRequestIsOneLineWithItsRoutePatternStatusDurationAndNamespace() {
        try (LogCapture log = LogCapture.of("dev.loupe.http.requests")) {
            Api api = server.admin("default");
            assertEquals(200, api.post("/v1/buckets", "{\"bucket_name\": \"private-bucket-name\", \"bucket_schema\": {}}").status());
            assertEquals(200, api.get("/v1/buckets/private-bucket-name").status());
            String line = log.await(l -> l.contains("GET /v1/buckets/{bucket}"), Duration.ofSeconds(5));
            assertTrue(line.matches("INFO GET /v1/buckets/\\{bucket} 200 \\d+\\.\\d ms ns=default"), line);
            assertTrue(log.lines().stream().anyMatch(l -> l.matches("INFO POST /v1/buckets 200 \\d+\\.\\d ms ns=default")), log.lines().toString());
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("private-bucket-name")), "the route, not the raw path: " + log.lines());
        }
    }

    @Test
    void noKeyQueryStringOrBodyReachesTheLog() {
        try (LogCapture log = LogCapture.of("dev.loupe.http.requests")) {
            Api api = server.admin("default");
            api.post("/v1/buckets/list?signature=sig-in-the-query", "{\"search\": \"body-secret\"}");
            new Api(server.base(), "lpk_wrong_key_in_a_header", "default").get("/v1/buckets");
            server.admin(null).get("/no/such/path/raw-path-secret?token=query-secret");
            log.await(l -> l.contains("(no route) 404"), Duration.ofSeconds(5));
            log.await(l -> l.contains(" 401 "), Duration.ofSeconds(5));
            log.await(l -> l.contains("POST /v1/buckets/list 200"), Duration.ofSeconds(5));
            for (String l : log.lines()) {
                for (String secret : new String[] {TestServer.ADMIN_KEY, "lpk_wrong", "sig-in-the-query", "body-secret", "raw-path-secret", "query-secret", "?"}) {
                    assertFalse(l.contains(secret), "'" + secret + "' in " + l);
                }
            }
        }
    }

    @Test
    void aForgedNamespaceCannotBreakTheLine() {
        try (LogCapture log = LogCapture.of("dev.loupe.http.requests")) {
            server.admin(null).post("/v1/buckets/list?namespace=evil%07name%0A" + "x".repeat(200), "{}");
            String line = log.await(l -> l.contains("POST /v1/buckets/list 404"), Duration.ofSeconds(5));
            assertTrue(line.contains("ns=evil?name?xxx"), line);
            assertTrue(line.length() < 160, "the namespace is cut short: " + line);
        }
    }

    @Test
    void healthChecksAreLoggedOnlyAtFineLevel() {
        try (LogCapture log = LogCapture.of("dev.loupe.http.requests")) {
            server.admin(null).get("/health");
            server.admin(null).get("/v1/health");
            server.admin("default").post("/v1/buckets/list", "{}");
            log.await(l -> l.contains("POST /v1/buckets/list 200"), Duration.ofSeconds(5));
            log.await(l -> l.startsWith("FINE GET /v1/health 200"), Duration.ofSeconds(5));
            assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("INFO") && l.contains("health")), log.lines().toString());
        }
    }
}
