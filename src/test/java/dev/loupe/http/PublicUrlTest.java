package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The URLs Loupe hands out point at Loupe, whatever Host header a caller sends, and cursors never overflow. */
class PublicUrlTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;
    private static String documentId;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
        String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get("red"), 64, 48, 1)), "image/png");
        api.ok("POST", "/v1/buckets/b/objects", "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + image + "\"}]}");
        JsonNode c = api.ok("POST", "/v1/collections", """
                {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
        api.awaitTask(c.path("task_id").asText(), Duration.ofSeconds(60));
        documentId = api.ok("POST", "/v1/collections/c/documents/list", "{}").path("results").get(0).path("document_id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aForgedHostHeaderDoesNotBecomeTheThumbnailsHost() throws IOException {
        URI base = URI.create(server.base());
        String raw;
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/collections/c/documents/" + documentId + " HTTP/1.1\r\nHost: evil.example:666\r\n"
                    + "Authorization: Bearer " + TestServer.ADMIN_KEY + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
        JsonNode doc = Api.parse(raw.substring(raw.indexOf('{')));
        String thumbnail = doc.path("thumbnail_url").asText();
        assertFalse(thumbnail.contains("evil.example"), thumbnail);
        assertTrue(thumbnail.startsWith(server.base() + "/thumbnails/"), thumbnail);
        assertEquals(200, java.net.http.HttpClient.newHttpClient().sendAsync(
                java.net.http.HttpRequest.newBuilder(URI.create(thumbnail)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).join().statusCode(), "the link works");
    }

    @Test
    void aPageAtTheLargestOffsetHasNoNextCursorRatherThanAnOverflowedOne() {
        Page last = new Page(Integer.MAX_VALUE - 5, 10);
        JsonNode p = last.response(Long.MAX_VALUE);
        assertTrue(p.path("next_cursor").isNull(), p.toString());
        assertTrue(p.path("total_pages").asLong() > 0, p.toString());
        JsonNode near = new Page(Integer.MAX_VALUE - 20, 10).response(Long.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE - 10, Page.offsetOf(near.path("next_cursor").asText(), "cursor"));
    }
}
