package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors carry Mixpeek's error types, those the HTTP layer raises itself (no route, body too large) like those of the routes. */
class ErrorTypesTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data, 1L << 20, 50_000_000L);
        api = server.admin(null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertError(Api.Response r, int status, String type) {
        assertEquals(status, r.status(), r.raw());
        OpenApi.assertConforms("ErrorResponse", r.body());
        assertEquals(status, r.body().path("status").asInt(), r.raw());
        assertEquals(type, r.body().path("error").path("type").asText(), r.raw());
    }

    @Test
    void anUnknownRouteIsANotFoundError() {
        assertError(api.post("/v1/no/such/route", "{}"), 404, "NotFoundError");
        assertError(api.get("/v1/buckets/b/objects/o/nothing-here"), 404, "NotFoundError");
    }

    @Test
    void anUnknownResourceIsANotFoundError() {
        assertError(api.get("/v1/buckets/bkt_missing"), 404, "NotFoundError");
    }

    @Test
    void aTakenNamespaceNameIsAConflictError() {
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"taken\"}");
        assertError(api.post("/v1/namespaces", "{\"namespace_name\": \"taken\"}"), 409, "ConflictError");
        assertEquals(1, api.ok("POST", "/v1/namespaces/list", "{}").path("results").findValues("namespace_name").stream()
                .filter(n -> n.asText().equals("taken")).count(), "one namespace of that name");
    }

    @Test
    void aBodyOverTheLimitIsAPayloadTooLargeError() {
        String big = "{\"bucket_name\": \"" + "x".repeat(4 << 20) + "\"}";
        assertError(api.post("/v1/buckets", big), 413, "PayloadTooLargeError");
    }

    @Test
    void theHttpLayersOwnStatusesMapToMixpeeksTypes() {
        assertEquals("BadRequestError", ApiServer.errorType(400));
        assertEquals("AuthenticationError", ApiServer.errorType(401));
        assertEquals("PermissionError", ApiServer.errorType(403));
        assertEquals("NotFoundError", ApiServer.errorType(404));
        assertEquals("MethodNotAllowedError", ApiServer.errorType(405));
        assertEquals("ConflictError", ApiServer.errorType(409));
        assertEquals("PayloadTooLargeError", ApiServer.errorType(413));
        assertEquals("ValidationError", ApiServer.errorType(422));
        assertEquals("InternalServerError", ApiServer.errorType(500));
        assertEquals("ServiceUnavailableError", ApiServer.errorType(503));
    }
}
