package dev.loupe.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.engines.LoupeCluster;
import dev.loupe.testing.engines.SolrCloud;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of one engine process while two Loupe nodes ingest a 500-object batch: a Solr
 * node, a Kafka broker, or the Loupe node the client does not talk to. Each time the task still
 * completes with every object done once, each object ends with exactly its one document, and
 * searches through the surviving node, issued all along, answer again after the failover (their
 * errors are counted and printed, not forbidden: a request in flight on a dying node may fail).
 * The killed process is restarted after each test, so the next finds the cluster whole.
 */
class NodeLossDuringBatchTest {
    private static final int OBJECTS = 500;
    /** The kill comes once this many items are done: a fifth of the batch, well before its end. */
    private static final int KILL_AFTER = OBJECTS / 5;
    /** Searches that must succeed in a row after the task completed. */
    private static final int LAST_SEARCHES = 10;
    private static final Duration TASK_LIMIT = Duration.ofMinutes(4);

    @TempDir
    static Path dir;
    static LoupeCluster cluster;
    /** The client's node; node B ({@code cluster.node(1)}) is the one a Loupe-node test kills. */
    static Api onA;

    @BeforeAll
    static void start() {
        cluster = LoupeCluster.start(dir, LoupeCluster.Options.defaults(2).withExtraFlags("--batch-size", "20"));
    }

    @AfterEach
    void restoreTheCluster() {
        cluster.restoreAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aSolrNodeKilledDuringABatchLosesNoDocument() {
        Run run = new Run("solr-loss");
        run.untilKillPoint();
        SolrCloud solr = cluster.solr();
        int victim = nodeHoldingALeader(solr, run.solrCollection());
        solr.kill9(victim);
        run.finishAndCheck("Solr node " + victim);
    }

    @Test
    void aKafkaBrokerKilledDuringABatchLosesNoDocument() {
        Run run = new Run("kafka-loss");
        run.untilKillPoint();
        cluster.kafka().kill9(0);
        run.finishAndCheck("Kafka broker 1 of 3");
    }

    @Test
    void aLoupeNodeKilledDuringABatchLeavesItsWorkToTheOther() {
        Run run = new Run("loupe-loss");
        run.untilKillPoint();
        cluster.node(1).kill9();
        run.finishAndCheck("Loupe node " + cluster.node(1).nodeId());
    }

    /** One search's outcome, as the background client saw it. */
    private record Search(long atNanos, boolean ok, String error) {
    }

    /** One test's batch: its namespace, objects, task and the searches issued meanwhile. */
    private static final class Run {
        private final String namespace;
        private final Api api;
        private final String collectionId;
        private final List<String> objectIds = new ArrayList<>();
        private final String taskId;
        private final List<Search> searches = new CopyOnWriteArrayList<>();
        private volatile boolean searching = true;
        private Thread searcher;
        private long killedAt;

        /** The namespace with a bucket of {@link #OBJECTS} small images, a collection over it, its retriever, and the batch submitted. */
        Run(String namespace) {
            this.namespace = namespace;
            this.api = cluster.admin(0, namespace);
            api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"" + namespace + "\"}");
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"photos\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
            JsonNode collection = api.ok("POST", "/v1/collections", """
                    {"collection_name": "photos", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "image"}}}""");
            collectionId = collection.path("collection_id").asText();
            // Over an empty bucket the collection has nothing to ingest and no task.
            if (collection.hasNonNull("task_id")) api.awaitTask(collection.path("task_id").asText(), Duration.ofMinutes(1));
            api.ok("POST", "/v1/retrievers", """
                    {"retriever_name": "search", "collection_ids": ["photos"],
                     "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 10}}}]}""");
            List<String> colours = List.copyOf(Images.BASIC.keySet());
            for (int from = 0; from < OBJECTS; from += 100) {
                ObjectNode body = Json.object();
                ArrayNode objects = body.putArray("objects");
                for (int i = from; i < from + 100; i++) {
                    String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get(colours.get(i % colours.size())), 64, 48, i)), "image/png");
                    ObjectNode o = objects.addObject();
                    o.putArray("blobs").addObject().put("property", "image").put("type", "image").put("data", image);
                    o.putObject("metadata").put("n", i);
                }
                for (JsonNode o : api.ok("POST", "/v1/buckets/photos/objects/batch", body.toString()).path("succeeded")) {
                    objectIds.add(o.path("object_id").asText());
                }
            }
            assertEquals(OBJECTS, objectIds.size());
            ObjectNode batch = Json.object();
            objectIds.forEach(batch.putArray("object_ids")::add);
            JsonNode created = api.ok("POST", "/v1/buckets/photos/batches", batch.toString());
            JsonNode submitted = api.ok("POST", "/v1/buckets/photos/batches/" + created.path("batch_id").asText() + "/submit", "{}");
            taskId = submitted.path("task_id").asText();
            assertTrue(!taskId.isEmpty(), "the submitted batch has a task: " + submitted + " (batch " + created + ")");
        }

        String solrCollection() {
            return "loupe_" + collectionId;
        }

        /** Waits until {@link #KILL_AFTER} items are done (the first documents are searchable then), and starts searching. */
        void untilKillPoint() {
            long deadline = System.nanoTime() + TASK_LIMIT.toNanos();
            while (true) {
                JsonNode task = api.ok("GET", "/v1/tasks/" + taskId, null);
                int done = task.path("additional_data").path("completed").asInt();
                if (done >= KILL_AFTER) {
                    assertTrue(done < OBJECTS, "the batch was over before the kill (" + done + " done): nothing would be proven");
                    break;
                }
                if (System.nanoTime() > deadline) fail("only " + done + " of " + OBJECTS + " done after " + TASK_LIMIT + ": " + task + cluster.nodeLogs(40));
                Poll.pause(50);
            }
            // A daemon, and stopped in finishAndCheck's finally: a failed test leaves no client searching into the next.
            searcher = Thread.ofPlatform().name("searches-" + namespace).daemon().start(this::search);
            killedAt = System.nanoTime();
        }

        private void search() {
            Api client = api;
            while (searching) {
                long at = System.nanoTime();
                try {
                    Api.Response r = client.post("/v1/retrievers/search/execute", "{\"inputs\": {\"q\": \"red\"}, \"limit\": 5}");
                    boolean ok = r.status() == 200 && r.body().path("documents").size() > 0;
                    searches.add(new Search(at, ok, ok ? null : r.status() + " " + abbreviate(r.raw())));
                } catch (RuntimeException e) {
                    searches.add(new Search(at, false, abbreviate(String.valueOf(e.getMessage()))));
                }
                Poll.pause(100);
            }
        }

        /** Waits for the task, then for {@link #LAST_SEARCHES} good searches in a row, and checks every object's documents. */
        void finishAndCheck(String killed) {
            JsonNode task;
            try {
                task = api.awaitTask(taskId, TASK_LIMIT);
            } catch (AssertionError e) {
                searching = false;
                throw new AssertionError(e.getMessage() + "\nafter killing " + killed + "; " + searchReport() + cluster.nodeLogs(40), e);
            }
            long waitUntil = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!lastSucceeded() && System.nanoTime() < waitUntil) Poll.pause(100);
            searching = false;
            try {
                searcher.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String report = "after killing " + killed + ": " + searchReport();
            System.out.println("[" + namespace + "] " + report);

            JsonNode data = task.path("additional_data");
            assertEquals("COMPLETED", task.path("status").asText(), task + "\n" + report + cluster.nodeLogs(40));
            assertEquals(OBJECTS, data.path("completed").asInt(), task + "\n" + report);
            assertEquals(0, data.path("failed").asInt(), task + "\n" + report);

            OneDocumentPerObject.assertHolds(api, collectionId, objectIds, report);
            assertEquals(OBJECTS, api.ok("GET", "/v1/collections/" + collectionId, null).path("document_count").asInt());
            assertTrue(lastSucceeded(), "the last " + LAST_SEARCHES + " searches succeed once the cluster failed over: " + report);
        }

        private boolean lastSucceeded() {
            List<Search> all = List.copyOf(searches);
            if (all.size() < LAST_SEARCHES) return false;
            return all.subList(all.size() - LAST_SEARCHES, all.size()).stream().allMatch(Search::ok);
        }

        private String searchReport() {
            List<Search> all = List.copyOf(searches);
            long errors = all.stream().filter(s -> !s.ok()).count();
            StringBuilder sb = new StringBuilder(all.size() + " searches through node A, " + (all.size() - errors) + " answered, " + errors + " failed");
            List<Search> failed = all.stream().filter(s -> !s.ok()).toList();
            if (!failed.isEmpty()) {
                sb.append(String.format(" (from %.1f s to %.1f s after the kill; first: %s)", (failed.getFirst().atNanos() - killedAt) / 1e9,
                        (failed.getLast().atNanos() - killedAt) / 1e9, failed.getFirst().error()));
            }
            return sb.toString();
        }
    }

    private static int nodeHoldingALeader(SolrCloud solr, String collection) {
        for (String replica : solr.replicas(collection, 0).values().stream().flatMap(List::stream).toList()) {
            if (!replica.endsWith(":leader")) continue;
            for (int i = 0; i < solr.nodes().size(); i++) if (replica.startsWith(solr.baseUrl(i) + ":")) return i;
        }
        throw new IllegalStateException("no leader of " + collection + ": " + solr.replicas(collection, 0));
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
