package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.catalog.Database;
import dev.loupe.testing.Api;
import dev.loupe.testing.FaceFixtures;
import dev.loupe.testing.Fixtures;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the service while it ingests a 500-object batch, twice, then a
 * restart: every object still ends with exactly its documents — one image document, or one
 * per face. The queue's own table,
 * read while no process runs, proves each kill landed with items RUNNING and that those
 * items were run again after the restart.
 */
class CrashRecoveryTest {
    private static final int OBJECTS = 500;
    /** The child running now, destroyed whatever the test's outcome. */
    private LoupeNode child;

    @AfterEach
    void killChild() {
        if (child != null) child.close();
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
        List<byte[]> images = new ArrayList<>();
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        for (int i = 0; i < colours.size(); i++) images.add(Images.jpeg(Images.dominant(Images.BASIC.get(colours.get(i)), 1600, 1200, i)));
        Map<String, Integer> perObject = crashTwiceDuringABatch(data, Fixtures.modelsDir(), images, """
                {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}""");
        assertTrue(perObject.values().stream().allMatch(n -> n == 1), "no object has two documents");
    }

    /**
     * Faces: an object yields as many documents as its photo has faces, so after the kills each
     * object must hold exactly the set its photo gives — the same count for every copy of a photo,
     * under the ids its ordinals derive — none missing, none twice.
     */
    @Test
    void killDashNineDuringAFaceBatchLeavesEveryObjectExactlyItsFaces(@TempDir Path data) throws Exception {
        List<String> files = List.copyOf(FaceFixtures.identities().keySet());
        List<byte[]> images = files.stream().map(FaceFixtures::photo).toList();
        Map<String, Integer> perObject = crashTwiceDuringABatch(data, FaceFixtures.modelsDir(), images, """
                {"feature_extractor_name": "face_identity_extractor", "version": "v1", "input_mappings": {"image": "img"},
                 "parameters": {"detection_model": "scrfd_500m"}}""");
        Map<Integer, Integer> facesOfPhoto = new HashMap<>();
        perObject.forEach((object, n) -> {
            int photo = objectPhoto.get(object);
            Integer before = facesOfPhoto.putIfAbsent(photo, n);
            assertEquals(before == null ? n : before, n, "every copy of " + files.get(photo) + " has the same faces; object " + object);
        });
        assertEquals(files.size(), facesOfPhoto.size(), "every labelled photo has at least one face");
    }

    /** Object id → index of its image, for the last {@link #crashTwiceDuringABatch}. */
    private final Map<String, Integer> objectPhoto = new HashMap<>();

    /**
     * Ingests {@value #OBJECTS} objects cycling through {@code images} into a collection with
     * {@code extractor}, kills the child twice mid-batch, lets a third finish, and checks that
     * every object has documents, each under the id its position derives, and that every item
     * running at a kill was run again. Returns each object's document count.
     */
    private Map<String, Integer> crashTwiceDuringABatch(Path data, Path modelsDir, List<byte[]> images, String extractor) throws Exception {
        try (ImageHost host = new ImageHost()) {
            for (int i = 0; i < images.size(); i++) host.put("/img/" + i + ".jpg", images.get(i));
            child = LoupeNode.start("crash-recovery", data, List.of("--models-dir", modelsDir.toString(), "--batch-size", "8"));
            Api api = child.admin(null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
            String collectionId = api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]}, "feature_extractor": %s}""".formatted(extractor))
                    .path("collection_id").asText();
            List<String> ids = new ArrayList<>();
            for (int start = 0; start < OBJECTS; start += 100) {
                StringBuilder body = new StringBuilder("{\"objects\": [");
                for (int i = start; i < start + 100; i++) {
                    if (i > start) body.append(',');
                    body.append("{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"")
                            .append(host.url("/img/" + (i % images.size()) + ".jpg")).append("\"}], \"metadata\": {\"n\": ").append(i).append("}}");
                }
                api.ok("POST", "/v1/buckets/b/objects/batch", body.append("]}").toString()).path("succeeded")
                        .forEach(o -> ids.add(o.path("object_id").asText()));
            }
            assertEquals(OBJECTS, ids.size());
            objectPhoto.clear();
            for (int i = 0; i < ids.size(); i++) objectPhoto.put(ids.get(i), i % images.size());
            String batchId = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": " + Api.parse(toJson(ids)) + "}").path("batch_id").asText();
            String taskId = api.ok("POST", "/v1/buckets/b/batches/" + batchId + "/submit", "{}").path("task_id").asText();

            Map<Long, Integer> cutShort = new HashMap<>();
            for (int threshold : new int[] {40, 200}) {
                awaitCompleted(api, taskId, threshold);
                child.kill9();
                Map<Long, Integer> atKill = running(data);
                assertFalse(atKill.isEmpty(), "the kill after " + threshold + " completions landed with items RUNNING");
                atKill.forEach((seq, attempts) -> cutShort.merge(seq, attempts, Math::max));
                child.restart();
                api = child.admin(null);
            }
            JsonNode task = api.awaitTask(taskId, Duration.ofMinutes(5));
            assertEquals("COMPLETED", task.path("status").asText(), task.toString());
            assertEquals(OBJECTS, task.path("additional_data").path("completed").asInt());

            Map<String, List<String>> docsOf = new HashMap<>();
            String cursor = null;
            do {
                JsonNode page = api.ok("POST", "/v1/collections/c/documents/list?limit=200" + (cursor == null ? "" : "&cursor=" + cursor), "{}");
                page.path("results").forEach(d -> docsOf.computeIfAbsent(d.path("root_object_id").asText(), k -> new ArrayList<>())
                        .add(d.path("document_id").asText()));
                cursor = page.path("pagination").path("next_cursor").isNull() ? null : page.path("pagination").path("next_cursor").asText();
            } while (cursor != null);
            assertEquals(new java.util.HashSet<>(ids), docsOf.keySet(), "every object has documents");
            Map<String, Integer> perObject = new HashMap<>();
            docsOf.forEach((object, docs) -> {
                Set<String> expected = new java.util.HashSet<>();
                for (int k = 0; k < docs.size(); k++) expected.add(DocumentIds.of(collectionId, object, null, k));
                assertEquals(expected, Set.copyOf(docs), "object " + object + " holds its documents once each, numbered from 0");
                perObject.put(object, docs.size());
            });
            child.kill9();
            child.close();
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
            return perObject;
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
