package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Thumbnailer;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs an attacker controls, sent through the HTTP API: ingestion reads only what it
 * stored itself or what a guarded URL returns, and no image, whatever its shape, takes
 * unbounded memory. Each test works in its own bucket and collection.
 */
class UntrustedInputTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        server = new TestServer(dir.resolve("data"));
        api = server.admin(null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void metadataNamingAFileOnTheServersDiskIsRefusedWithoutReadingOrRevealingIt() throws Exception {
        Path secretDir = Files.createDirectories(dir.resolve("private"));
        Path secret = Files.write(secretDir.resolve("private.jpg"), Images.jpeg(Images.dominant(Images.BASIC.get("red"), 64, 64, 1)));
        String root = secretDir.toAbsolutePath().toString();
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"files\", \"bucket_schema\": {}}");
        api.ok("POST", "/v1/collections", """
                {"collection_name": "files-c", "source": {"type": "bucket", "bucket_ids": ["files"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "pic"}}}""");
        // The stored name of a thumbnail this server never wrote.
        String unknownSha = "0123456789abcdef".repeat(4);
        Map<String, String> attacks = new LinkedHashMap<>();
        attacks.put("existing", "/thumbnails/" + secret.toAbsolutePath());
        attacks.put("missing", "/thumbnails/" + secretDir.resolve("missing.jpg").toAbsolutePath());
        attacks.put("existing, upper", "/thumbnails/../../../.." + secret.toAbsolutePath());
        attacks.put("missing, upper", "/thumbnails/../../../.." + secretDir.resolve("missing.jpg").toAbsolutePath());
        attacks.put("unknown sha", "/thumbnails/" + unknownSha + ".jpg");
        attacks.put("plain path", secret.toAbsolutePath().toString());
        attacks.put("file URL", secret.toUri().toString());
        Map<String, String> objectIds = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : attacks.entrySet()) {
            ObjectNode body = Api.parse("{}").deepCopy();
            body.putObject("metadata").put("pic", a.getValue());
            body.putArray("blobs").addObject().put("property", "img").put("type", "image")
                    .put("data", Images.dataUri(Images.png(Images.dominant(Images.BASIC.get("blue"), 32, 32, 2)), "image/png"));
            objectIds.put(a.getKey(), api.ok("POST", "/v1/buckets/files/objects", body.toString()).path("object_id").asText());
        }
        JsonNode done = runBatch("files", List.copyOf(objectIds.values()));
        assertEquals("FAILED", done.path("status").asText(), done.toString());

        Map<String, String> reasons = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : objectIds.entrySet()) {
            JsonNode object = api.ok("GET", "/v1/buckets/files/objects/" + o.getValue(), null);
            assertEquals("FAILED", object.path("status").asText(), o.getKey() + ": " + object);
            String reason = object.path("error").asText();
            assertFalse(reason.isBlank(), o.getKey() + ": " + object);
            assertFalse(reason.contains(root), o.getKey() + " reveals the directory: " + reason);
            assertFalse(reason.contains("Exception"), o.getKey() + " leaks an exception: " + reason);
            reasons.put(o.getKey(), reason);
        }
        assertTrue(reasons.get("existing").contains("not a thumbnail stored by this server"), reasons.get("existing"));
        assertEquals(reasons.get("existing"), reasons.get("missing"), "a file's existence must not show in the reason");
        assertEquals(reasons.get("existing, upper"), reasons.get("missing, upper"));
        assertEquals(reasons.get("existing"), reasons.get("unknown sha"));
        JsonNode listed = api.ok("POST", "/v1/collections/files-c/documents/list", "{}").path("results");
        assertTrue(listed.isArray() && listed.isEmpty(), "no document, and so no thumbnail, was made from a local file: " + listed);
    }

    @Test
    void anotherDocumentsThumbnailStillServesAsAnInput() throws Exception {
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"thumbs\", \"bucket_schema\": {}}");
        api.ok("POST", "/v1/collections", """
                {"collection_name": "thumbs-c", "source": {"type": "bucket", "bucket_ids": ["thumbs"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
        String first = api.ok("POST", "/v1/buckets/thumbs/objects", objectWith(Images.png(Images.dominant(Images.BASIC.get("green"), 80, 60, 3))))
                .path("object_id").asText();
        assertEquals("COMPLETED", runBatch("thumbs", List.of(first)).path("status").asText());
        JsonNode doc = api.ok("POST", "/v1/collections/thumbs-c/documents/list", "{}").path("results").get(0);
        String path = URI.create(doc.path("thumbnail_url").asText()).getPath();
        assertTrue(path.matches("/thumbnails/[0-9a-f]{64}\\.jpg"), path);

        api.ok("POST", "/v1/collections", """
                {"collection_name": "thumbs-again", "source": {"type": "bucket", "bucket_ids": ["thumbs"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "pic"}}}""");
        ObjectNode body = (ObjectNode) Api.parse(objectWith(Images.png(Images.dominant(Images.BASIC.get("red"), 8, 8, 4))));
        body.putObject("metadata").put("pic", path);
        String second = api.ok("POST", "/v1/buckets/thumbs/objects", body.toString()).path("object_id").asText();
        JsonNode done = runBatch("thumbs", List.of(second));
        assertEquals("COMPLETED", done.path("status").asText(), done.toString());
        JsonNode again = api.ok("POST", "/v1/collections/thumbs-again/documents/list", "{}").path("results");
        assertEquals(1, again.size(), done.toString());
        assertEquals(second, again.get(0).path("root_object_id").asText());
    }

    @Test
    void stripsFailAloneAndATallImageGetsABoundedThumbnail() throws Exception {
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"strips\", \"bucket_schema\": {}}");
        api.ok("POST", "/v1/collections", """
                {"collection_name": "strips-c", "source": {"type": "bucket", "bucket_ids": ["strips"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
        api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "strips-r", "collection_ids": ["strips-c"], "input_schema": {"query": {"type": "text", "required": true}},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.query}}", "top_k": 5}}}]}""");
        // Tiny files (under 200 bytes each) whose pixels at 640 px wide would need gigabytes.
        int[][] strips = {{1, 1000}, {1, 30000}, {30000, 1}, {1, 1000}, {30000, 1}};
        List<String> stripIds = new ArrayList<>();
        for (int[] s : strips) {
            byte[] png = Images.png(new BufferedImage(s[0], s[1], BufferedImage.TYPE_INT_RGB));
            assertTrue(png.length < 1000, "a tiny file: " + png.length);
            stripIds.add(api.ok("POST", "/v1/buckets/strips/objects", objectWith(png)).path("object_id").asText());
        }
        String tallId = api.ok("POST", "/v1/buckets/strips/objects",
                objectWith(Images.png(Images.dominant(Images.BASIC.get("yellow"), 10, 1000, 5)))).path("object_id").asText();
        String goodId = api.ok("POST", "/v1/buckets/strips/objects",
                objectWith(Images.png(Images.dominant(Images.BASIC.get("purple"), 120, 90, 6)))).path("object_id").asText();
        List<String> all = new ArrayList<>(stripIds);
        all.add(tallId);
        all.add(goodId);
        JsonNode done = runBatch("strips", all);
        assertEquals("COMPLETED_WITH_ERRORS", done.path("status").asText(), done.toString());
        assertEquals(strips.length, done.path("additional_data").path("failed").asInt(), done.toString());
        for (int i = 0; i < strips.length; i++) {
            JsonNode o = api.ok("GET", "/v1/buckets/strips/objects/" + stripIds.get(i), null);
            assertEquals("FAILED", o.path("status").asText(), o.toString());
            String reason = o.path("error").asText();
            assertTrue(reason.contains(strips[i][0] + "×" + strips[i][1]) && reason.contains("aspect ratio")
                    && reason.contains("over the limit of " + ImageDecoder.MAX_ASPECT_RATIO + ":1"), reason);
        }
        for (String id : List.of(tallId, goodId)) {
            assertEquals("COMPLETED", api.ok("GET", "/v1/buckets/strips/objects/" + id, null).path("status").asText(), id);
        }
        JsonNode docs = api.ok("POST", "/v1/collections/strips-c/documents/list", "{}").path("results");
        assertEquals(2, docs.size(), docs.toString());
        for (JsonNode d : docs) {
            BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(api.download(d.path("thumbnail_url").asText())));
            if (d.path("root_object_id").asText().equals(tallId)) {
                assertEquals(26, thumb.getWidth(), "10×1000 fits 2560 high, keeping its aspect ratio");
                assertEquals(Thumbnailer.MAX_HEIGHT, thumb.getHeight());
            } else {
                assertEquals(Thumbnailer.WIDTH, thumb.getWidth());
                assertEquals(480, thumb.getHeight());
            }
        }
        JsonNode found = api.ok("POST", "/v1/retrievers/strips-r/execute", "{\"inputs\": {\"query\": \"purple\"}}").path("documents");
        assertEquals(goodId, found.get(0).path("root_object_id").asText(), "search still answers: " + found);
    }

    @Test
    void aStripAsAContentQueryIsRefusedWithItsReason() {
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"query-strips\", \"bucket_schema\": {}}");
        api.ok("POST", "/v1/collections", """
                {"collection_name": "query-strips-c", "source": {"type": "bucket", "bucket_ids": ["query-strips"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
        api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "query-strips-r", "collection_ids": ["query-strips-c"], "input_schema": {"image": {"type": "string", "required": true}},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                             "parameters": {"query": {"input_mode": "content", "value": "{{INPUT.image}}"}, "top_k": 5}}}]}""");
        for (int[] s : new int[][] {{1, 30000}, {30000, 1}}) {
            String strip = Images.dataUri(Images.png(new BufferedImage(s[0], s[1], BufferedImage.TYPE_INT_RGB)), "image/png");
            Api.Response r = api.post("/v1/retrievers/query-strips-r/execute", "{\"inputs\": {\"image\": \"" + strip + "\"}}");
            assertEquals(422, r.status(), r.raw());
            String message = r.body().path("error").path("message").asText();
            assertTrue(message.contains(s[0] + "×" + s[1]) && message.contains("aspect ratio"), message);
        }
    }

    private static String objectWith(byte[] image) {
        ObjectNode body = Api.parse("{}").deepCopy();
        ArrayNode blobs = body.putArray("blobs");
        blobs.addObject().put("property", "img").put("type", "image").put("data", Images.dataUri(image, "image/png"));
        return body.toString();
    }

    private static JsonNode runBatch(String bucket, List<String> objectIds) {
        ArrayNode ids = Api.parse("[]").deepCopy();
        objectIds.forEach(ids::add);
        String batch = api.ok("POST", "/v1/buckets/" + bucket + "/batches", "{\"object_ids\": " + ids + "}").path("batch_id").asText();
        String task = api.ok("POST", "/v1/buckets/" + bucket + "/batches/" + batch + "/submit", "{}").path("task_id").asText();
        return api.awaitTask(task, Duration.ofMinutes(2));
    }
}
