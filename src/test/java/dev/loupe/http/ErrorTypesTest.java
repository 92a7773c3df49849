package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import dev.loupe.api.LoupeException;
import java.util.Map;
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
        Api.Response missing = api.get("/v1/buckets/bkt_missing");
        assertError(missing, 404, "NotFoundError");
        // The route's own 404 reaches the caller; the no-route handler must not overwrite it.
        assertEquals("bkt_missing", missing.body().path("error").path("details").path("identifier").asText(), missing.raw());
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
        assertEquals("BadRequestError", ApiError.ofStatus(400, "m").type());
        assertEquals("AuthenticationError", ApiError.ofStatus(401, "m").type());
        assertEquals("PermissionError", ApiError.ofStatus(403, "m").type());
        assertEquals("NotFoundError", ApiError.ofStatus(404, "m").type());
        assertEquals("MethodNotAllowedError", ApiError.ofStatus(405, "m").type());
        assertEquals("ConflictError", ApiError.ofStatus(409, "m").type());
        assertEquals("PayloadTooLargeError", ApiError.ofStatus(413, "m").type());
        assertEquals("ValidationError", ApiError.ofStatus(422, "m").type());
        assertEquals("InternalServerError", ApiError.ofStatus(500, "m").type());
        assertEquals("ServiceUnavailableError", ApiError.ofStatus(503, "m").type());
    }

    @Test
    void eachDomainRefusalBecomesItsStatusAndTheTypeOfThatStatus() {
        Map<LoupeException, Integer> expected = Map.of(
                LoupeException.malformed("m"), 400,
                LoupeException.unauthenticated("m"), 401,
                LoupeException.forbidden("m"), 403,
                LoupeException.notFound("bucket", "b1"), 404,
                LoupeException.conflict("m"), 409,
                LoupeException.tooLarge("m"), 413,
                LoupeException.invalid("a.b", "m"), 422,
                LoupeException.unavailable("m"), 503);
        expected.forEach((e, status) -> {
            ApiError error = ApiError.of(e);
            assertEquals(status, error.status(), e.getClass().getSimpleName());
            assertEquals(ApiError.ofStatus(status, "m").type(), error.type(), e.getClass().getSimpleName());
        });
        assertEquals(Map.of("field", "a.b"), ApiError.of(LoupeException.invalid("a.b", "m")).details());
        assertEquals(Map.of("resource", "bucket", "identifier", "b1"), ApiError.of(LoupeException.notFound("bucket", "b1")).details());
    }
}
