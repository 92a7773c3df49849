package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch cancel and retry, and task delete. */
class TaskControlTest {
    @TempDir
    Path data;
    private TestServer server;
    private Api api;
    private HttpServer slowHost;
    /** Held shut until a test opens it: fetches from the slow host wait on it. */
    private final CountDownLatch gate = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = new TestServer(data);
        api = server.admin("default");
        byte[] png = Images.png(Images.dominant(Images.BASIC.get("green"), 32, 32, 3));
        slowHost = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowHost.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        slowHost.createContext("/", exchange -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        slowHost.start();
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
        api.ok("POST", "/v1/collections", """
                {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "payload.image"}}}""");
    }

    @AfterEach
    void stop() {
        gate.countDown();
        server.close();
        slowHost.stop(0);
    }

    /** A submitted batch of {@code n} objects whose images come from {@code urlBase}; returns {batch id, task id}. */
    private String[] submit(int n, String urlBase) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(api.ok("POST", "/v1/buckets/b/objects", """
                    {"blobs": [{"property": "image", "type": "image", "data": "%s/%d.png"}]}""".formatted(urlBase, i)).path("object_id").asText());
        }
        String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"" + String.join("\", \"", ids) + "\"]}")
                .path("batch_id").asText();
        String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
        return new String[] {batch, task};
    }

    private void awaitProcessing(String taskId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (api.ok("GET", "/v1/tasks/" + taskId, null).path("additional_data").path("processing").asInt() == 0) {
            assertTrue(System.nanoTime() < deadline, "the worker never took the batch");
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private String slowUrl() {
        return "http://127.0.0.1:" + slowHost.getAddress().getPort();
    }

    @Test
    void cancelStopsWhatHasNotStartedAndRetryResumesIt() {
        String[] b = submit(40, slowUrl());
        // The worker takes one batch (16 items) and waits on the shut host; the rest stay queued.
        awaitProcessing(b[1]);
        JsonNode canceled = api.ok("POST", "/v1/buckets/b/batches/" + b[0] + "/cancel", null);
        OpenApi.assertConforms("TaskResponse", canceled);
        gate.countDown();
        JsonNode task = api.awaitTask(b[1], Duration.ofSeconds(60));
        assertEquals("CANCELED", task.path("status").asText(), task.toString());
        int done = task.path("additional_data").path("completed").asInt();
        assertTrue(done > 0 && done < 40, "the running items finished, the queued ones did not: " + task);
        assertEquals(40 - done, task.path("additional_data").path("canceled").asInt(), task.toString());
        assertEquals(done, api.ok("GET", "/v1/collections/c", null).path("document_count").asInt());
        JsonNode retried = api.ok("POST", "/v1/buckets/b/batches/" + b[0] + "/retry", "{\"retry_mode\": \"all\"}");
        assertEquals(40 - done, retried.path("retried_count").asInt(), retried.toString());
        assertEquals("COMPLETED", api.awaitTask(b[1], Duration.ofSeconds(60)).path("status").asText());
        assertEquals(40, api.ok("GET", "/v1/collections/c", null).path("document_count").asInt());
    }

    @Test
    void retryRunsFailedItemsAgainUpToMaxRetryCount() {
        String[] b = submit(3, "http://127.0.0.1:9");
        assertEquals("FAILED", api.awaitTask(b[1], Duration.ofSeconds(60)).path("status").asText());
        // A deleted object is not brought back by a retry.
        String gone = api.ok("GET", "/v1/buckets/b/batches/" + b[0], null).path("object_ids").get(0).asText();
        assertEquals(204, api.delete("/v1/buckets/b/objects/" + gone).status());
        JsonNode first = api.ok("POST", "/v1/buckets/b/batches/" + b[0] + "/retry", "{\"max_retry_count\": 1}");
        assertEquals(2, first.path("retried_count").asInt(), first.toString());
        assertEquals("FAILED", api.awaitTask(b[1], Duration.ofSeconds(60)).path("status").asText());
        JsonNode second = api.ok("POST", "/v1/buckets/b/batches/" + b[0] + "/retry", "{\"max_retry_count\": 1}");
        assertEquals(0, second.path("retried_count").asInt(), "each item was already retried once: " + second);
        assertEquals(422, api.post("/v1/buckets/b/batches/" + b[0] + "/retry", "{\"retry_mode\": \"sometimes\"}").status());
    }

    @Test
    void aTaskIsDeletedOnlyOnceItHasFinished() {
        String[] b = submit(2, slowUrl());
        Api.Response busy = api.delete("/v1/tasks/" + b[1]);
        assertEquals(409, busy.status(), busy.raw());
        gate.countDown();
        api.awaitTask(b[1], Duration.ofSeconds(60));
        JsonNode deleted = api.ok("DELETE", "/v1/tasks/" + b[1], null);
        OpenApi.assertConforms("GenericDeleteResponse", deleted);
        assertEquals(404, api.get("/v1/tasks/" + b[1]).status());
        assertEquals(409, api.post("/v1/buckets/b/batches/" + b[0] + "/cancel", "").status(), "its task is gone");
    }

    @Test
    void aDraftBatchCannotBeCanceled() {
        String obj = api.ok("POST", "/v1/buckets/b/objects", "{\"metadata\": {\"x\": 1}}").path("object_id").asText();
        String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"" + obj + "\"]}").path("batch_id").asText();
        Api.Response r = api.post("/v1/buckets/b/batches/" + batch + "/cancel", "");
        assertEquals(409, r.status(), r.raw());
        assertTrue(r.raw().contains("not been submitted"), r.raw());
    }

}
