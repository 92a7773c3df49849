package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the service while it ingests a 500-object batch, twice, then a
 * restart: every object still ends with exactly one document.
 */
class CrashRecoveryTest {
    private static final int OBJECTS = 500;

    @Test
    void killDashNineDuringABatchLosesAndDuplicatesNothing(@TempDir Path data) throws Exception {
        try (ImageHost host = new ImageHost()) {
            List<String> colours = List.copyOf(Images.BASIC.keySet());
            for (int i = 0; i < colours.size(); i++) {
                host.put("/img/" + i + ".jpg", Images.jpeg(Images.dominant(Images.BASIC.get(colours.get(i)), 1600, 1200, i)));
            }
            ChildLoupe child = ChildLoupe.start(data);
            Api api = child.api();
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                           "input_mappings": {"image": "img"}}}""");
            List<String> ids = new ArrayList<>();
            for (int start = 0; start < OBJECTS; start += 100) {
                StringBuilder body = new StringBuilder("{\"objects\": [");
                for (int i = start; i < start + 100; i++) {
                    if (i > start) body.append(',');
                    body.append("{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"")
                            .append(host.url("/img/" + (i % colours.size()) + ".jpg")).append("\"}], \"metadata\": {\"n\": ").append(i).append("}}");
                }
                api.ok("POST", "/v1/buckets/b/objects/batch", body.append("]}").toString()).path("succeeded")
                        .forEach(o -> ids.add(o.path("object_id").asText()));
            }
            assertEquals(OBJECTS, ids.size());
            String batchId = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": " + Api.parse(toJson(ids)) + "}").path("batch_id").asText();
            String taskId = api.ok("POST", "/v1/buckets/b/batches/" + batchId + "/submit", "{}").path("task_id").asText();

            for (int threshold : new int[] {40, 200}) {
                awaitCompleted(api, taskId, threshold);
                child.kill();
                child = ChildLoupe.start(data);
                api = child.api();
            }
            JsonNode task = api.awaitTask(taskId, Duration.ofMinutes(5));
            assertEquals("COMPLETED", task.path("status").asText(), task.toString());
            assertEquals(OBJECTS, task.path("additional_data").path("completed").asInt());

            Map<String, Integer> perObject = new HashMap<>();
            String cursor = null;
            do {
                JsonNode page = api.ok("POST", "/v1/collections/c/documents/list?limit=200" + (cursor == null ? "" : "&cursor=" + cursor), "{}");
                page.path("results").forEach(d -> perObject.merge(d.path("root_object_id").asText(), 1, Integer::sum));
                cursor = page.path("pagination").path("next_cursor").isNull() ? null : page.path("pagination").path("next_cursor").asText();
            } while (cursor != null);
            assertEquals(OBJECTS, perObject.size(), "every object has a document");
            assertTrue(perObject.values().stream().allMatch(n -> n == 1), "no object has two documents");
            assertEquals(new java.util.HashSet<>(ids), perObject.keySet());
            child.kill();
        }
    }

    private static void awaitCompleted(Api api, String taskId, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (api.ok("GET", "/v1/tasks/" + taskId, null).path("additional_data").path("completed").asInt() < atLeast) {
            if (System.nanoTime() > deadline) throw new AssertionError("ingestion made no progress");
            Thread.sleep(20);
        }
    }

    private static String toJson(List<String> ids) {
        return ids.stream().map(s -> "\"" + s + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
