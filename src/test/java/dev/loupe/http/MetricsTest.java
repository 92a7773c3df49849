package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.LogCapture;
import dev.loupe.testing.Products;
import dev.loupe.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: Prometheus' text format, for the admin key, with figures that follow what the server did. */
class MetricsTest {
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

    private static HttpResponse<String> scrape(String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + "/metrics")).timeout(Duration.ofSeconds(30));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the sample whose name and labels are exactly {@code series} (labels in the registry's order), or 0 when absent. */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void onlyTheAdminKeyReadsMetrics() throws Exception {
        assertEquals(401, scrape(null).statusCode());
        String plain = server.admin(null).post("/v1/api-keys", "{\"name\": \"reader\"}").text("key");
        HttpResponse<String> refused = scrape(plain);
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("only an admin API key may read /metrics"), refused.body());
        HttpResponse<String> ok = scrape(TestServer.ADMIN_KEY);
        assertEquals(200, ok.statusCode());
        assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), ok.headers().toString());
        assertTrue(ok.body().contains("# TYPE http_server_requests_seconds histogram"), ok.body());
    }

    @Test
    void requestLatenciesAreCountedByRouteAndStatus() throws Exception {
        String series = "http_server_requests_seconds_count{method=\"POST\",route=\"/v1/buckets/list\",status=\"200\"}";
        double before = value(scrape(TestServer.ADMIN_KEY).body(), series);
        Api api = server.admin("default");
        for (int i = 0; i < 3; i++) api.post("/v1/buckets/list", "{}");
        String after = awaitValue(series, before + 3);
        assertTrue(after.contains("http_server_requests_seconds_bucket{method=\"POST\",route=\"/v1/buckets/list\",status=\"200\",le=\"+Inf\"}"), after);
    }

    @Test
    void ingestionMovesItemCountersModelTimeQueueAndIndexSizes() throws Exception {
        Api api = server.admin(null);
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"metered\"}");
        JsonNode ns = api.ok("GET", "/v1/namespaces/metered", null);
        Api shop = server.admin("metered");
        String processed = "loupe_ingestion_items_total{extractor=\"image_extractor\",outcome=\"processed\"}";
        String failed = "loupe_ingestion_items_total{extractor=\"image_extractor\",outcome=\"failed\"}";
        String calls = "loupe_model_calls_seconds_count{extractor=\"image_extractor\",use=\"ingestion\"}";
        String queries = "loupe_model_calls_seconds_count{extractor=\"image_extractor\",use=\"query\"}";
        String before = scrape(TestServer.ADMIN_KEY).body();
        Products.bucket(shop, "metered-products").add("red", 1, "{}").add("blue", 2, "{}").add("green", 3, "{}")
                .collection("metered-images");
        String after = scrape(TestServer.ADMIN_KEY).body();
        assertEquals(value(before, processed) + 3, value(after, processed), after);
        assertTrue(value(after, calls) > value(before, calls), "the image model ran: " + after);
        assertEquals(3, value(after, "loupe_index_documents{collection=\"metered-images\",namespace=\"" + ns.path("namespace_id").asText() + "\"}"), after);
        assertEquals(0, value(after, "loupe_queue_items{state=\"pending\"}"), after);
        assertTrue(after.contains("loupe_queue_items{state=\"running\"}"), after);
        shop.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["metered-images"], "inputs": {}, "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                  "parameters": {"feature_uri": "mixpeek://image_extractor@v1/embedding", "query": "a metered purple query", "top_k": 3}}}]}""");
        assertEquals(value(after, queries) + 1, value(scrape(TestServer.ADMIN_KEY).body(), queries), "the query's text was embedded once");

        try (LogCapture tasks = LogCapture.of("dev.loupe.ingestion.tasks")) {
            String notAnImage = Base64.getEncoder().encodeToString("this is not an image".getBytes());
            JsonNode object = shop.ok("POST", "/v1/buckets/metered-products/objects", """
                    {"blobs": [{"property": "img", "type": "image", "data": "%s"}], "metadata": {}}""".formatted(notAnImage));
            JsonNode batch = shop.ok("POST", "/v1/buckets/metered-products/batches",
                    "{\"object_ids\": [\"" + object.path("object_id").asText() + "\"]}");
            JsonNode task = shop.ok("POST", "/v1/buckets/metered-products/batches/" + batch.path("batch_id").asText() + "/submit", "{}");
            String taskId = task.path("task_id").asText();
            assertEquals("FAILED", shop.awaitTask(taskId, Duration.ofSeconds(60)).path("status").asText());
            awaitValue(failed, value(after, failed) + 1);
            tasks.await(l -> l.startsWith("INFO task " + taskId + " started: 1 item(s) for collection col_"), Duration.ofSeconds(5));
            String reason = tasks.await(l -> l.startsWith("WARNING task " + taskId + ": object " + object.path("object_id").asText() + " failed in collection"),
                    Duration.ofSeconds(5));
            assertTrue(reason.length() > 80, "with its reason: " + reason);
            String done = tasks.await(l -> l.startsWith("INFO task " + taskId + " finished FAILED"), Duration.ofSeconds(10));
            assertTrue(done.matches(".*: 0 done, 1 failed, 0 canceled of 1 in \\d+\\.\\d s \\(\\d+\\.\\d items/s\\)"), done);
        }
    }

    /** Scrapes until {@code series} reaches {@code wanted} (a request is counted once its response is sent). */
    private static String awaitValue(String series, double wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String text = scrape(TestServer.ADMIN_KEY).body();
            if (value(text, series) >= wanted) {
                assertEquals(wanted, value(text, series), series);
                return text;
            }
            if (System.nanoTime() > deadline) throw new AssertionError(series + " did not reach " + wanted + ":\n" + text);
            Thread.sleep(50);
        }
    }
}
