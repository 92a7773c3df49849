package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.engines.LoupeNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the service while deletions are in flight, then a restart: every
 * object is either still there with its documents in both tiers, or gone with none left
 * anywhere, and every deletion the client was told succeeded is among the gone.
 */
class DeletionCrashTest {
    private static final int OBJECTS = 40;
    private static final int ACKNOWLEDGED_BEFORE_KILL = 12;
    private static final int CLIENTS = 8;

    @Test
    void killDashNineDuringDeletionsLeavesEachObjectWhollyThereOrWhollyGone(@TempDir Path data) throws Exception {
        try (ImageHost host = new ImageHost()) {
            List<String> colours = List.copyOf(Images.BASIC.keySet());
            for (int i = 0; i < colours.size(); i++) {
                host.put("/img/" + i + ".jpg", Images.jpeg(Images.dominant(Images.BASIC.get(colours.get(i)), 320, 240, i)));
            }
            LoupeNode child = LoupeNode.start("deletion-crash", data, List.of("--batch-size", "8"));
            Api api = child.admin(null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "tier1", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                           "input_mappings": {"image": "img"}, "parameters": {"enable_thumbnails": true}}}""");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "tier2", "source": {"type": "collection", "collection_id": "tier1"},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                           "input_mappings": {"image": "thumbnail_url"}, "parameters": {"enable_thumbnails": false}}}""");
            StringBuilder body = new StringBuilder("{\"objects\": [");
            for (int i = 0; i < OBJECTS; i++) {
                if (i > 0) body.append(',');
                body.append("{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"")
                        .append(host.url("/img/" + (i % colours.size()) + ".jpg")).append("\"}]}");
            }
            List<String> ids = new ArrayList<>();
            api.ok("POST", "/v1/buckets/b/objects/batch", body.append("]}").toString()).path("succeeded")
                    .forEach(o -> ids.add(o.path("object_id").asText()));
            String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": " + Api.parse(json(ids)) + "}").path("batch_id").asText();
            String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
            assertEquals("COMPLETED", api.awaitTask(task, Duration.ofMinutes(3)).path("status").asText());
            for (String tier : List.of("tier1", "tier2")) assertEquals(OBJECTS, perObject(api, tier).size(), tier);

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<String> toDelete = new ConcurrentLinkedQueue<>(ids);
            CountDownLatch enough = new CountDownLatch(ACKNOWLEDGED_BEFORE_KILL);
            Api deleter = api;
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    for (String id; (id = toDelete.poll()) != null; ) {
                        try {
                            int status = deleter.delete("/v1/buckets/b/objects/" + id).status();
                            if (status == 200 || status == 204) acknowledged.add(id);
                            enough.countDown();
                        } catch (RuntimeException killed) {
                            return; // the service is gone mid-request
                        }
                    }
                }));
            }
            assertTrue(enough.await(3, TimeUnit.MINUTES), "deletions are answered");
            child.kill9();
            for (Thread t : clients) t.join();

            child.restart();
            api = child.admin(null);
            Map<String, Integer> tier1 = perObject(api, "tier1");
            Map<String, Integer> tier2 = perObject(api, "tier2");
            int gone = 0;
            for (String id : ids) {
                int status = api.get("/v1/buckets/b/objects/" + id).status();
                if (status == 404) {
                    gone++;
                    assertEquals(List.of(0, 0), List.of(tier1.getOrDefault(id, 0), tier2.getOrDefault(id, 0)), "deleted " + id + " left documents");
                } else {
                    assertEquals(200, status);
                    assertTrue(!acknowledged.contains(id), "an acknowledged deletion of " + id + " was lost");
                    assertEquals(List.of(1, 1), List.of(tier1.getOrDefault(id, 0), tier2.getOrDefault(id, 0)), "kept " + id + " lost documents");
                }
            }
            assertTrue(gone >= acknowledged.size(), gone + " gone, " + acknowledged.size() + " acknowledged");
            child.kill9();
            child.close();
        }
    }

    /** Documents per root object in a collection. */
    private static Map<String, Integer> perObject(Api api, String collection) {
        Map<String, Integer> out = new HashMap<>();
        JsonNode page = api.ok("POST", "/v1/collections/" + collection + "/documents/list?limit=200", "{}");
        assertTrue(page.path("results").size() <= OBJECTS, "one page holds them all");
        page.path("results").forEach(d -> out.merge(d.path("root_object_id").asText(), 1, Integer::sum));
        return out;
    }

    private static String json(List<String> ids) {
        return ids.stream().map(s -> "\"" + s + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
