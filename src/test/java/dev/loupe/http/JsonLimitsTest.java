package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request bodies at and past the JSON parser's limits: a client error in Mixpeek's shape, never a 500. */
class JsonLimitsTest {
    private static final long MAX_BLOB = 20L << 20;
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data, MAX_BLOB, 50_000_000L);
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String inlineBlob(int bytes) {
        byte[] blob = new byte[bytes];
        new Random(5).nextBytes(blob);
        return "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + Base64.getEncoder().encodeToString(blob) + "\"}]}";
    }

    private static Api.Response assertClientError(int status, Api.Response r) {
        assertEquals(status, r.status(), r.raw().length() > 2000 ? r.raw().substring(0, 2000) : r.raw());
        OpenApi.assertConforms("ErrorResponse", r.body());
        assertEquals(status, r.body().path("status").asInt());
        return r;
    }

    @Test
    void anInlineBlobWellOverFifteenMegabytesButUnderTheLimitIsStored() {
        String body = inlineBlob(16 << 20);
        assertTrue(body.length() > 20_000_000, "past Jackson's default string limit");
        Api.Response r = api.post("/v1/buckets/b/objects", body);
        assertEquals(200, r.status(), r.raw());
        assertEquals(16 << 20, r.body().path("blobs").get(0).path("details").path("size_bytes").asLong(), r.raw());
    }

    @Test
    void anInlineBlobOverTheLimitIsA413() {
        Api.Response r = assertClientError(413, api.post("/v1/buckets/b/objects", inlineBlob((int) MAX_BLOB + 1)));
        assertTrue(r.body().path("error").path("message").asText().contains("limit"), r.raw());
    }

    @Test
    void nestingPastTheLimitIsA400NamingIt() {
        int depth = Json.MAX_NESTING_DEPTH + 1;
        String deep = "{\"bucket_name\": \"x\", \"metadata\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
        Api.Response r = assertClientError(400, api.post("/v1/buckets", deep));
        assertTrue(r.body().path("error").path("message").asText().contains("nesting depth"), r.raw());
    }

    @Test
    void aNumberPastTheLengthLimitIsA400NamingIt() {
        String body = "{\"bucket_name\": \"x\", \"metadata\": {\"n\": " + "9".repeat(Json.MAX_NUMBER_LENGTH + 1) + "}}";
        Api.Response r = assertClientError(400, api.post("/v1/buckets", body));
        assertTrue(r.body().path("error").path("message").asText().contains("Number value length"), r.raw());
    }

    @Test
    void malformedJsonStillSaysWhere() {
        Api.Response r = assertClientError(400, api.post("/v1/buckets", "{\"bucket_name\": \n  nope}"));
        assertTrue(r.body().path("error").path("message").asText().contains("line 2"), r.raw());
    }
}
