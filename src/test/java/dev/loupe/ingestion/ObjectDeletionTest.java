package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.LuceneDocumentIndex;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting a bucket object removes the documents it produced from every collection it
 * fed, downstream tiers included (bucket → tier 1 → tier 2 sourced from tier 1): through
 * the HTTP API, against an item in flight, and across a process death between the
 * catalog commit and the index removal.
 */
class ObjectDeletionTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static ImageHost images;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        images = new ImageHost();
        api = server.admin(null);
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    /** Collection ids of a bucket's two tiers. */
    private record Tiers(String bucket, String tier1, String tier2) {
        List<String> collections() {
            return List.of(tier1, tier2);
        }
    }

    /** A bucket feeding a thumbnailing collection, and a second collection embedding the first one's thumbnails. */
    private static Tiers tiers(Api api, String name) {
        api.ok("POST", "/v1/buckets", """
                {"bucket_name": "%s", "bucket_schema": {"properties": {"img": {"type": "image"}}}}""".formatted(name));
        String tier1 = api.ok("POST", "/v1/collections", """
                {"collection_name": "%s-tier1", "source": {"type": "bucket", "bucket_ids": ["%s"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                       "input_mappings": {"image": "img"}, "parameters": {"enable_thumbnails": true}}}"""
                .formatted(name, name)).path("collection_id").asText();
        String tier2 = api.ok("POST", "/v1/collections", """
                {"collection_name": "%s-tier2", "source": {"type": "collection", "collection_id": "%s"},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                       "input_mappings": {"image": "thumbnail_url"}, "parameters": {"enable_thumbnails": false}}}"""
                .formatted(name, tier1)).path("collection_id").asText();
        return new Tiers(name, tier1, tier2);
    }

    private static String addObject(Api api, String bucket, String url) {
        return api.ok("POST", "/v1/buckets/" + bucket + "/objects", """
                {"blobs": [{"property": "img", "type": "image", "data": "%s"}]}""".formatted(url)).path("object_id").asText();
    }

    private static String colourObject(Api api, ImageHost host, String bucket, String colour) {
        String url = host.put("/" + bucket + "/" + colour + ".jpg", Images.jpeg(Images.dominant(Images.BASIC.get(colour), 320, 240, colour.length())));
        return addObject(api, bucket, url);
    }

    /** Submits the objects as one batch and returns its task, once finished. */
    private static JsonNode process(Api api, String bucket, List<String> objectIds) {
        String batch = api.ok("POST", "/v1/buckets/" + bucket + "/batches", "{\"object_ids\": " + json(objectIds) + "}").path("batch_id").asText();
        String task = api.ok("POST", "/v1/buckets/" + bucket + "/batches/" + batch + "/submit", "{}").path("task_id").asText();
        return api.awaitTask(task, Duration.ofMinutes(2));
    }

    private static List<String> documentIds(Api api, String collectionId, String rootObjectId) {
        String filter = rootObjectId == null ? "{}" : """
                {"filters": {"AND": [{"field": "root_object_id", "operator": "eq", "value": "%s"}]}}""".formatted(rootObjectId);
        List<String> ids = new ArrayList<>();
        api.ok("POST", "/v1/collections/" + collectionId + "/documents/list?limit=100", filter).path("results")
                .forEach(d -> ids.add(d.path("document_id").asText()));
        return ids;
    }

    private static List<String> searchHits(Api api, String collectionId, String query) {
        JsonNode result = api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {"q": "%s"},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 10}}}]}"""
                .formatted(collectionId, query));
        List<String> ids = new ArrayList<>();
        result.path("documents").forEach(d -> ids.add(d.path("document_id").asText()));
        return ids;
    }

    private static void assertDeleted(Api api, int status) {
        assertTrue(status == 200 || status == 204, "delete answered " + status);
    }

    @Test
    void deletingAnObjectRemovesItsDocumentsFromEveryTier() {
        Tiers t = tiers(api, "shop");
        String red = colourObject(api, images, t.bucket(), "red");
        String blue = colourObject(api, images, t.bucket(), "blue");
        String green = colourObject(api, images, t.bucket(), "green");
        assertEquals("COMPLETED", process(api, t.bucket(), List.of(red, blue, green)).path("status").asText());
        List<String> redDocuments = new ArrayList<>();
        for (String c : t.collections()) {
            assertEquals(3, documentIds(api, c, null).size(), "every object reached " + c);
            redDocuments.addAll(documentIds(api, c, red));
        }
        assertEquals(2, redDocuments.size(), "red has a document in each tier");
        assertTrue(redDocuments.containsAll(searchHits(api, t.tier1(), "red").subList(0, 1)), "and is found before it is deleted");

        assertDeleted(api, api.delete("/v1/buckets/shop/objects/" + red).status());

        assertEquals(404, api.get("/v1/buckets/shop/objects/" + red).status());
        assertEquals(2, api.ok("POST", "/v1/buckets/shop/objects/list", "{}").path("results").size());
        for (String c : t.collections()) {
            assertEquals(List.of(), documentIds(api, c, red), "no document of the deleted object in " + c);
            assertEquals(2, documentIds(api, c, null).size(), "the others stay in " + c);
            assertEquals(2, api.ok("GET", "/v1/collections/" + c, null).path("document_count").asInt());
            List<String> hits = searchHits(api, c, "red");
            assertEquals(2, hits.size());
            assertTrue(hits.stream().noneMatch(redDocuments::contains), "search no longer finds it in " + c + ": " + hits);
        }
        for (String doc : redDocuments) {
            int inTier1 = api.get("/v1/collections/" + t.tier1() + "/documents/" + doc).status();
            int inTier2 = api.get("/v1/collections/" + t.tier2() + "/documents/" + doc).status();
            assertEquals(List.of(404, 404), List.of(inTier1, inTier2), doc);
        }
        assertEquals(404, api.delete("/v1/buckets/shop/objects/" + red).status(), "deleting twice finds nothing");
    }

    @Test
    void aBatchSubmittedAfterOneOfItsObjectsWasDeletedReportsItAsFailed() {
        Tiers t = tiers(api, "late");
        String kept = colourObject(api, images, t.bucket(), "yellow");
        String dropped = colourObject(api, images, t.bucket(), "purple");
        String batch = api.ok("POST", "/v1/buckets/late/batches", "{\"object_ids\": " + json(List.of(kept, dropped)) + "}").path("batch_id").asText();
        assertDeleted(api, api.delete("/v1/buckets/late/objects/" + dropped).status());

        String taskId = api.ok("POST", "/v1/buckets/late/batches/" + batch + "/submit", "{}").path("task_id").asText();
        JsonNode task = api.awaitTask(taskId, Duration.ofMinutes(2));

        assertEquals("COMPLETED_WITH_ERRORS", task.path("status").asText(), task.toString());
        assertEquals(Ingestion.DELETED_BEFORE_SUBMIT, task.path("additional_data").path("failures").path(dropped).asText());
        JsonNode summary = api.ok("GET", "/v1/buckets/late/batches/" + batch, null).path("error_summary");
        assertEquals(1, summary.path(Ingestion.DELETED_BEFORE_SUBMIT).asInt(), "error_summary counts failures per error: " + summary);
        for (String c : t.collections()) {
            assertEquals(1, documentIds(api, c, kept).size(), "the object still there is processed into " + c);
            assertEquals(List.of(), documentIds(api, c, dropped));
        }
    }

    @Test
    void anObjectDeletedWhileItIsBeingProcessedDoesNotComeBack() throws Exception {
        Tiers t = tiers(api, "race");
        try (GatedImage gate = new GatedImage(Images.jpeg(Images.dominant(Images.BASIC.get("orange"), 320, 240, 7)))) {
            String object = addObject(api, t.bucket(), gate.url());
            String batch = api.ok("POST", "/v1/buckets/race/batches", "{\"object_ids\": [\"" + object + "\"]}").path("batch_id").asText();
            String taskId = api.ok("POST", "/v1/buckets/race/batches/" + batch + "/submit", "{}").path("task_id").asText();
            // The worker has claimed the item and read the object; it waits for the image.
            assertTrue(gate.requested.await(2, TimeUnit.MINUTES), "the worker fetches the image");

            assertDeleted(api, api.delete("/v1/buckets/race/objects/" + object).status());
            gate.release.countDown();
            JsonNode task = api.awaitTask(taskId, Duration.ofMinutes(2));

            assertEquals("FAILED", task.path("status").asText(), task.toString());
            assertEquals(ObjectDeletion.RUNNING_REASON, task.path("additional_data").path("failures").path(object).asText());
            assertEquals(1, task.path("additional_data").path("total").asInt(), "nothing was queued for tier 2");
            for (String c : t.collections()) {
                assertEquals(List.of(), documentIds(api, c, object), "no document of the deleted object in " + c);
            }
        }
    }

    /**
     * The state a {@code kill -9} leaves right after the catalog commit: the object is
     * gone and its deletion recorded, its documents still in the index. The restart
     * finishes the deletion before it serves a request.
     */
    @Test
    void aDeletionCutShortAfterTheCatalogCommitIsFinishedOnRestart(@TempDir Path dir) {
        List<String> colours = List.of("red", "blue");
        List<String> objects = new ArrayList<>();
        Tiers t;
        try (TestServer first = new TestServer(dir); ImageHost host = new ImageHost()) {
            Api a = first.admin(null);
            t = tiers(a, "crash");
            for (String colour : colours) objects.add(colourObject(a, host, t.bucket(), colour));
            assertEquals("COMPLETED", process(a, t.bucket(), objects).path("status").asText());
        }
        String gone = objects.get(0);
        FilterNode produced = new FilterNode.Condition("root_object_id", FilterNode.Operator.EQ, TextNode.valueOf(gone));
        try (Database db = new Database(dir.resolve("catalog.db")); LuceneDocumentIndex index = new LuceneDocumentIndex(dir.resolve("index"))) {
            Catalog catalog = new Catalog(db);
            StoredObject object = catalog.list(Kind.OBJECT, null, null, 100, 0).stream()
                    .filter(o -> o.objectId().equals(gone)).findFirst().orElseThrow();
            new ObjectDeletions(catalog, new SqlWorkQueue(db), index).record(object);
            for (String c : t.collections()) assertEquals(1, index.count(c, produced), "still indexed in " + c + " when the process dies");
        }

        try (TestServer restarted = new TestServer(dir)) {
            Api a = restarted.admin(null);
            assertEquals(404, a.get("/v1/buckets/crash/objects/" + gone).status());
            for (String c : t.collections()) {
                assertEquals(List.of(), documentIds(a, c, gone), "the restart removed it from " + c);
                assertEquals(1, documentIds(a, c, objects.get(1)).size(), "and kept the other object's document in " + c);
            }
        }
        try (Database db = new Database(dir.resolve("catalog.db"))) {
            assertEquals(List.of(), new SqlWorkQueue(db).openDeletions(10, 0), "the deletion is marked done");
        }
    }

    /** Serves one image, but only once the test lets it: until then the worker's fetch waits. */
    private static final class GatedImage implements AutoCloseable {
        final CountDownLatch requested = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final HttpServer server;

        GatedImage(byte[] body) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                requested.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                exchange.close();
            });
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/gated.jpg";
        }

        @Override
        public void close() {
            release.countDown();
            server.stop(0);
        }
    }

    private static String json(List<String> ids) {
        return ids.stream().map(s -> "\"" + s + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
