package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.catalog.Database;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the service while it ingests a 500-object batch, twice, then a
 * restart: every object still ends with exactly one document. The queue's own table,
 * read while no process runs, proves each kill landed with items RUNNING and that those
 * items were run again after the restart.
 */
class CrashRecoveryTest {
    private static final int OBJECTS = 500;
    /** The child running now, destroyed whatever the test's outcome. */
    private ChildLoupe child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null) child.kill();
    }

    /** Work item seq → attempts, of the items RUNNING, read with no process on the data directory. */
    private static Map<Long, Integer> running(Path data) {
        try (Database db = new Database(data.resolve("catalog.db"))) {
            return db.inTransaction(c -> {
                Map<Long, Integer> out = new HashMap<>();
                try (var ps = c.prepareStatement("SELECT seq, attempts FROM work_items WHERE state = 'RUNNING'");
                     var rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getLong(1), rs.getInt(2));
                }
                return out;
            });
        }
    }

    @Test
    void killDashNineDuringABatchLosesAndDuplicatesNothing(@TempDir Path data) throws Exception {
        try (ImageHost host = new ImageHost()) {
            List<String> colours = List.copyOf(Images.BASIC.keySet());
            for (int i = 0; i < colours.size(); i++) {
                host.put("/img/" + i + ".jpg", Images.jpeg(Images.dominant(Images.BASIC.get(colours.get(i)), 1600, 1200, i)));
            }
            child = ChildLoupe.start(data);
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

            Map<Long, Integer> cutShort = new HashMap<>();
            for (int threshold : new int[] {40, 200}) {
                awaitCompleted(api, taskId, threshold);
                child.kill();
                child = null;
                Map<Long, Integer> atKill = running(data);
                assertFalse(atKill.isEmpty(), "the kill after " + threshold + " completions landed with items RUNNING");
                atKill.forEach((seq, attempts) -> cutShort.merge(seq, attempts, Math::max));
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
            child = null;
            try (Database db = new Database(data.resolve("catalog.db"))) {
                Map<Long, String> states = new HashMap<>();
                Map<Long, Integer> attempts = new HashMap<>();
                db.inTransaction(c -> {
                    try (var ps = c.prepareStatement("SELECT seq, state, attempts FROM work_items"); var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            states.put(rs.getLong(1), rs.getString(2));
                            attempts.put(rs.getLong(1), rs.getInt(3));
                        }
                    }
                    return null;
                });
                cutShort.forEach((seq, atKill) -> {
                    assertEquals("DONE", states.get(seq), "item " + seq + " was running at a kill");
                    assertTrue(attempts.get(seq) > atKill, "item " + seq + ", running at a kill with " + atKill
                            + " attempts, was run again after the restart: " + attempts.get(seq));
                });
            }
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
