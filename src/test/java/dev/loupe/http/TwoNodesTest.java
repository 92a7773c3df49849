package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.Postgres;
import dev.loupe.testing.engines.S3Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Loupes sharing one PostgreSQL catalog and one S3 bucket, each with a data directory and a
 * node id of its own, as behind a load balancer: whatever one node was asked to do, the other
 * answers for. Search is not compared across them: each node's workers index into its own
 * Lucene directory until the index is shared too (see the README's "Several nodes").
 */
class TwoNodesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String BUCKET = "loupe-two-nodes";
    @TempDir
    static Path dir;
    private static S3Server s3;
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        Path keys = s3.keyFile(Files.createDirectories(dir.resolve("keys")));
        String catalog = Postgres.shared().freshDatabase().url();
        a = node("node-a", catalog, keys);
        b = node("node-b", catalog, keys);
    }

    private static TestServer node(String id, String catalog, Path keys) {
        List<String> flags = new ArrayList<>(List.of("--catalog-url", catalog, "--catalog-pool-size", "4", "--node-id", id));
        flags.addAll(s3.flags(BUCKET, keys));
        return TestServer.withFlags(dir.resolve(id), flags.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, a, s3}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    @Test
    void anUploadCreatedOnOneNodeIsPutAndConfirmedOnTheOther() throws Exception {
        photosIn("uploads");
        byte[] bytes = Images.jpeg(Images.dominant(Images.BASIC.get("yellow"), 320, 240, 5));
        JsonNode u = a.admin("uploads").ok("POST", "/v1/buckets/photos/uploads", """
                {"filename": "bag.jpg", "content_type": "image/jpeg", "blob_property": "image", "file_size_bytes": %d}""".formatted(bytes.length));
        String url = u.path("presigned_url").asText();
        assertTrue(url.startsWith(a.base()), url);
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(onNode(b, url))).header("Content-Type", "image/jpeg")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), "node B accepts the URL node A signed: " + put.body());
        JsonNode confirmed = b.admin("uploads").ok("POST", "/v1/buckets/photos/uploads/" + u.path("upload_id").asText() + "/confirm",
                "{\"etag\": " + new TextNode(put.headers().firstValue("ETag").orElseThrow()) + ", \"file_size_bytes\": " + bytes.length + "}");
        assertEquals("COMPLETED", confirmed.path("status").asText(), confirmed.toString());
        String objectId = confirmed.path("object_id").asText();
        assertFalse(objectId.isEmpty(), confirmed.toString());
        assertEquals(objectId, a.admin("uploads").ok("GET", "/v1/buckets/photos/objects/" + objectId, null).path("object_id").asText(),
                "node A sees the object node B made");
        for (TestServer node : List.of(a, b)) {
            assertFalse(Files.exists(node.dataDir().resolve("upload-signing.key")), "the signing secret is the catalog's, not a node's");
        }
    }

    @Test
    void aKeyMadeOnOneNodeWorksOnTheOtherAndRevokedThereStopsWorkingOnTheFirst() {
        JsonNode created = a.admin(null).ok("POST", "/v1/api-keys", "{\"name\": \"two-nodes-ci\"}");
        String secret = created.path("key").asText();
        Api onA = a.admin(null).withKey(secret);
        Api onB = b.admin(null).withKey(secret);
        assertEquals(200, onB.post("/v1/namespaces/list", "{}").status(), "the key node A made works on node B");
        assertEquals(200, onA.post("/v1/namespaces/list", "{}").status());

        b.admin(null).ok("DELETE", "/v1/api-keys/" + created.path("key_id").asText(), null);
        assertEquals(401, onA.post("/v1/namespaces/list", "{}").status(), "revoked on node B, the key stops at once on node A");
        assertEquals(401, onB.post("/v1/namespaces/list", "{}").status());
    }

    @Test
    void aBatchSubmittedOnOneNodeCompletesAndBothNodesReportItAndServeItsThumbnails() throws Exception {
        Api onA = photosIn("batches");
        Api onB = b.admin("batches");
        Set<String> buckets = new HashSet<>();
        for (JsonNode bucket : onB.ok("POST", "/v1/buckets/list", "{}").path("results")) buckets.add(bucket.path("bucket_name").asText());
        assertTrue(buckets.contains("photos"), "node B lists the bucket node A made: " + buckets);
        JsonNode collection = onA.ok("POST", "/v1/collections", """
                {"collection_name": "shared", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "image"}}}""");
        assertEquals("shared", onB.ok("GET", "/v1/collections/" + collection.path("collection_id").asText(), null).path("collection_name").asText(),
                "node B knows the collection node A made");

        List<String> objectIds = new ArrayList<>();
        List<String> colours = List.of("red", "green", "blue", "purple");
        for (int i = 0; i < colours.size(); i++) {
            String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get(colours.get(i)), 64, 48, i)), "image/png");
            objectIds.add(onA.ok("POST", "/v1/buckets/photos/objects",
                    "{\"blobs\": [{\"property\": \"image\", \"type\": \"image\", \"data\": \"" + image + "\"}]}").path("object_id").asText());
        }
        String ids = String.join("\", \"", objectIds);
        String batchId = onA.ok("POST", "/v1/buckets/photos/batches", "{\"object_ids\": [\"" + ids + "\"]}").path("batch_id").asText();
        String taskId = onA.ok("POST", "/v1/buckets/photos/batches/" + batchId + "/submit", "{}").path("task_id").asText();

        JsonNode doneOnB = onB.awaitTask(taskId, Duration.ofSeconds(120));
        assertEquals("COMPLETED", doneOnB.path("status").asText(), doneOnB.toString());
        JsonNode doneOnA = onA.ok("GET", "/v1/tasks/" + taskId, null);
        assertEquals(doneOnA.path("additional_data"), doneOnB.path("additional_data"), "both nodes count the same");
        assertEquals(objectIds.size(), doneOnB.path("additional_data").path("completed").asInt(), doneOnB.toString());
        assertEquals("COMPLETED", onB.ok("GET", "/v1/buckets/photos/batches/" + batchId, null).path("status").asText());
        for (String objectId : objectIds) {
            assertEquals(onA.ok("GET", "/v1/buckets/photos/objects/" + objectId, null).path("status"),
                    onB.ok("GET", "/v1/buckets/photos/objects/" + objectId, null).path("status"), "object " + objectId);
        }

        // Each document is in the index of the node whose worker made it; together they hold every object's.
        Set<String> indexed = new HashSet<>();
        List<String> thumbnails = new ArrayList<>();
        for (Api node : List.of(onA, onB)) {
            for (JsonNode d : node.ok("POST", "/v1/collections/shared/documents/list?limit=100", "{}").path("results")) {
                indexed.add(d.path("root_object_id").asText());
                thumbnails.add(d.path("thumbnail_url").asText());
            }
        }
        assertEquals(Set.copyOf(objectIds), indexed);
        for (String url : thumbnails) {
            byte[] fromA = get(onNode(a, url));
            byte[] fromB = get(onNode(b, url));
            assertTrue(fromA.length > 0);
            assertTrue(java.util.Arrays.equals(fromA, fromB), "both nodes serve " + url);
        }
    }

    /** Namespace {@code namespace}, made on node A with the bucket {@code photos}; the API acts on node A. */
    private static Api photosIn(String namespace) {
        return dev.loupe.testing.PhotoBucket.create(a, namespace);
    }

    /** {@code url}, a node's absolute URL, pointed at {@code node} instead. */
    private static String onNode(TestServer node, String url) {
        URI u = URI.create(url);
        return node.base() + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    private static byte[] get(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }
}
