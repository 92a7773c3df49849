package dev.loupe.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.LoupeCluster;
import dev.loupe.testing.engines.LoupeNode;
import dev.loupe.testing.engines.ProxiedEndpoints;
import dev.loupe.testing.engines.TcpProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node B of two is cut off every engine (catalog, Kafka, Solr, S3) by proxies that stop
 * forwarding, as a firewall dropping its packets would, while it holds claimed work; node B
 * itself stays up and reachable by clients. Node A takes over B's items and Kafka partitions
 * once B's group session runs out and finishes the batch alone. Then the link heals: B's
 * requests held in the network arrive late, and nothing they do may undo A's work.
 */
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
class NodePartitionTest {
    private static final int OBJECTS = 240;
    private static final Duration TASK_LIMIT = Duration.ofMinutes(5);
    private static final String SEARCH = """
            {"collection_identifiers": ["photos"], "inputs": {"q": "red"},
             "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 10}}}]}""";

    @Test
    void aNodeCutOffEveryEngineDuringABatchLeavesItsWorkToTheOtherAndRejoinsWithoutLossOrDuplicates(@TempDir Path dir) throws Exception {
        try (LoupeCluster cluster = LoupeCluster.startEngines(dir, LoupeCluster.Options.defaults(2));
             ProxiedEndpoints behind = ProxiedEndpoints.of(cluster)) {
            LoupeNode nodeA = cluster.addNode("node-a");
            LoupeNode nodeB = cluster.addNode("node-b", behind.endpoints());
            Api a = nodeA.admin("partition");
            Api b = nodeB.admin("partition");
            List<String> objectIds = seed(a);
            String taskId = submit(a, objectIds);

            // Cut B off while it holds claimed items (a B that happened to hold none at that moment is healed and tried again).
            Set<Long> heldByB;
            long partitionedAt;
            while (true) {
                awaitRunningOn("node-b", cluster, a, taskId);
                behind.partition();
                partitionedAt = System.nanoTime();
                heldByB = running("node-b", cluster);
                if (!heldByB.isEmpty()) break;
                behind.heal();
            }
            long bytesAtPartition = behind.forwardedBytes();
            // Node B's log from here on: the log file is appended to by every run of this test.
            int logAtPartition = nodeB.logTail(Integer.MAX_VALUE).length();
            System.out.println("[partition] node B cut off holding items " + heldByB);

            // Clients still reach B: what needs an engine must fail in bounded time, not hang.
            CompletableFuture<String> taskOnB = CompletableFuture.supplyAsync(() -> timed(nodeB, "GET", "/v1/tasks/" + taskId, null));
            CompletableFuture<String> searchOnB = CompletableFuture.supplyAsync(() -> timed(nodeB, "POST", "/v1/retrievers/execute", SEARCH));

            int doneAtPartition = a.ok("GET", "/v1/tasks/" + taskId, null).path("additional_data").path("completed").asInt();
            StringBuilder timeline = new StringBuilder();
            JsonNode task = awaitTask(a, taskId, partitionedAt, timeline);
            System.out.println("[partition] items done at the partition: " + doneAtPartition + "; then (s after it: done): " + timeline);
            if (!task.path("status").asText().equals("COMPLETED")) {
                fail("node A did not finish the batch while node B was partitioned: " + task + "\n" + timeline + cluster.nodeLogs(60));
            }
            double takeoverSeconds = (System.nanoTime() - partitionedAt) / 1e9;
            assertEquals(bytesAtPartition, behind.forwardedBytes(), "nothing passed the partition: " + behind.proxies());
            assertEquals("COMPLETED", task.path("status").asText(), task + cluster.nodeLogs(40));
            assertEquals(OBJECTS, task.path("additional_data").path("completed").asInt(), task.toString());
            assertEquals(0, task.path("additional_data").path("failed").asInt(), task.toString());
            assertEquals(Map.of(), notDone(heldByB, cluster), "the items node B held were finished by node A");
            System.out.printf("[partition] node A finished the batch %.1f s after the partition%n", takeoverSeconds);

            behind.heal();
            String taskAnswer = taskOnB.join();
            String searchAnswer = searchOnB.join();
            System.out.println("[partition] during the partition, node B answered GET /v1/tasks: " + taskAnswer);
            System.out.println("[partition] during the partition, node B answered a search: " + searchAnswer);
            assertTrue(taskAnswer.startsWith("503 "), "a request that needs the catalog fails as unavailable: " + taskAnswer);
            assertTrue(searchAnswer.startsWith("503 "), "a search that needs the catalog fails as unavailable: " + searchAnswer);

            // B's requests held by the network have arrived; its late outcomes must change nothing.
            awaitLateOutcomes(nodeB, logAtPartition, heldByB);
            JsonNode after = a.ok("GET", "/v1/tasks/" + taskId, null);
            assertEquals(task.path("additional_data"), after.path("additional_data"), "node B's late writes changed the task's counts");
            OneDocumentPerObject.assertHolds(a, "photos", objectIds, "after the heal");

            JsonNode fromA = a.ok("POST", "/v1/retrievers/execute", SEARCH);
            JsonNode fromB = awaitSearch(b);
            // By score, rank by rank: the images share a few colours, so many documents tie, and the two nodes' requests may be
            // answered by different replicas, which order ties (and pick among them at the cut) each their own way.
            assertEquals(scores(fromA), scores(fromB), "node B, healed, finds what node A finds: " + fromA + "\n" + fromB);
            assertEquals(OBJECTS, b.ok("GET", "/v1/collections/photos", null).path("document_count").asInt());

            // B has rejoined: work submitted through it is done.
            String second = submit(b, seedObjects(b, 12));
            assertEquals("COMPLETED", b.awaitTask(second, TASK_LIMIT).path("status").asText(), cluster.nodeLogs(40));
            for (TcpProxy p : behind.proxies()) {
                if (!p.name().startsWith("solr-")) assertTrue(p.forwardedBytes() > 0, "node B's traffic went through " + p);
            }
            System.out.println("[partition] node B noticed: " + noticed(nodeB, logAtPartition));
        }
    }

    /** The task once it ends (or {@link #TASK_LIMIT} passed), noting in {@code timeline} how many items were done every few seconds. */
    private static JsonNode awaitTask(Api api, String taskId, long since, StringBuilder timeline) {
        long deadline = System.nanoTime() + TASK_LIMIT.toNanos();
        long noted = 0;
        while (true) {
            JsonNode task = api.ok("GET", "/v1/tasks/" + taskId, null);
            long now = System.nanoTime();
            if (now - noted > 5_000_000_000L) {
                timeline.append(String.format("%.0f:%d ", (now - since) / 1e9, task.path("additional_data").path("completed").asInt()));
                noted = now;
            }
            String status = task.path("status").asText();
            if ((!status.equals("PENDING") && !status.equals("PROCESSING")) || now > deadline) return task;
            Poll.pause(250);
        }
    }

    /** Namespace, bucket, collection over it, and {@link #OBJECTS} small images, made through {@code api}. */
    private static List<String> seed(Api api) {
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"partition\"}");
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"photos\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
        JsonNode collection = api.ok("POST", "/v1/collections", """
                {"collection_name": "photos", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "image"}}}""");
        if (collection.hasNonNull("task_id")) api.awaitTask(collection.path("task_id").asText(), Duration.ofMinutes(1));
        return seedObjects(api, OBJECTS);
    }

    private static List<String> seedObjects(Api api, int count) {
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        List<String> ids = new ArrayList<>();
        for (int from = 0; from < count; from += 100) {
            ObjectNode body = Json.object();
            ArrayNode objects = body.putArray("objects");
            for (int i = from; i < Math.min(count, from + 100); i++) {
                String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get(colours.get(i % colours.size())), 64, 48, i)), "image/png");
                objects.addObject().putArray("blobs").addObject().put("property", "image").put("type", "image").put("data", image);
            }
            for (JsonNode o : api.ok("POST", "/v1/buckets/photos/objects/batch", body.toString()).path("succeeded")) ids.add(o.path("object_id").asText());
        }
        assertEquals(count, ids.size());
        return ids;
    }

    private static String submit(Api api, List<String> objectIds) {
        ObjectNode batch = Json.object();
        objectIds.forEach(batch.putArray("object_ids")::add);
        String batchId = api.ok("POST", "/v1/buckets/photos/batches", batch.toString()).path("batch_id").asText();
        return api.ok("POST", "/v1/buckets/photos/batches/" + batchId + "/submit", "{}").path("task_id").asText();
    }

    /** Waits until node {@code nodeId} runs at least one item, failing if the batch ends first. */
    private static void awaitRunningOn(String nodeId, LoupeCluster cluster, Api api, String taskId) {
        long deadline = System.nanoTime() + TASK_LIMIT.toNanos();
        while (running(nodeId, cluster).isEmpty()) {
            JsonNode task = api.ok("GET", "/v1/tasks/" + taskId, null);
            if (task.path("additional_data").path("completed").asInt() >= OBJECTS * 3 / 4) {
                fail("node " + nodeId + " took no work before most of the batch was done: " + task + cluster.nodeLogs(40));
            }
            if (System.nanoTime() > deadline) fail("node " + nodeId + " took no work within " + TASK_LIMIT + cluster.nodeLogs(40));
            Poll.pause(20);
        }
    }

    /** The items node {@code nodeId} runs now, read from the catalog directly. */
    private static Set<Long> running(String nodeId, LoupeCluster cluster) {
        Set<Long> out = new TreeSet<>();
        query(cluster, "SELECT seq FROM work_items WHERE state = 'RUNNING' AND owner = ?", nodeId, rs -> out.add(rs.getLong(1)));
        return out;
    }

    /** Those of {@code seqs} that are not DONE, with their state and owner. */
    private static Map<Long, String> notDone(Set<Long> seqs, LoupeCluster cluster) {
        Map<Long, String> out = new HashMap<>();
        query(cluster, "SELECT seq, state, owner FROM work_items WHERE state <> ?", "DONE", rs -> {
            if (seqs.contains(rs.getLong(1))) out.put(rs.getLong(1), rs.getString(2) + " " + rs.getString(3));
        });
        return out;
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private static void query(LoupeCluster cluster, String sql, String parameter, Row row) {
        PostgresOptions catalog = new PostgresOptions(cluster.catalogUrl(), null, 1);
        try (Connection c = DriverManager.getConnection(catalog.jdbcUrl(), catalog.user(), "");
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) row.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the catalog: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until node B's log names every item it held when cut off: each of them reached its
     * (refused) outcome, so the writes it made on the way have landed. Bounded: a node that never
     * gets there is reported by the checks that follow.
     */
    private static void awaitLateOutcomes(LoupeNode node, int logFrom, Set<Long> seqs) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Set<Long> unseen = new TreeSet<>(seqs);
        while (!unseen.isEmpty() && System.nanoTime() < deadline) {
            String log = logSince(node, logFrom);
            unseen.removeIf(seq -> log.contains("work item " + seq + " "));
            Poll.pause(200);
        }
        System.out.println("[partition] node B's late outcomes " + (unseen.isEmpty() ? "all logged" : "not logged for " + unseen));
    }

    /** B's log lines that show it noticed the partition, abbreviated. */
    private static List<String> noticed(LoupeNode node, int logFrom) {
        List<String> out = new ArrayList<>();
        for (String line : logSince(node, logFrom).split("\n")) {
            if (line.contains("taken back") || line.contains("WARNING") || line.contains("SEVERE")) out.add(line.length() > 200 ? line.substring(0, 200) : line);
        }
        return out.size() > 12 ? out.subList(0, 12) : out;
    }

    private static String logSince(LoupeNode node, int from) {
        String log = node.logTail(Integer.MAX_VALUE);
        return log.length() > from ? log.substring(from) : "";
    }

    /** A request to {@code node} with a generous timeout of the client's own: its status, body start and how long it took. */
    private static String timed(LoupeNode node, String method, String path, String body) {
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        try {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(node.base() + path)).timeout(Duration.ofMinutes(4))
                    .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).header("X-Namespace", "partition")
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            return String.format("%d after %.1f s: %s", response.statusCode(), (System.nanoTime() - start) / 1e9,
                    text.length() > 300 ? text.substring(0, 300) : text);
        } catch (Exception e) {
            return String.format("%s after %.1f s", e, (System.nanoTime() - start) / 1e9);
        }
    }

    /** The first search through {@code api} that answers, retried for a while: a healed node reconnects first. */
    private static JsonNode awaitSearch(Api api) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Api.Response r = api.post("/v1/retrievers/execute", SEARCH);
            if (r.status() == 200) return r.body();
            if (System.nanoTime() > deadline) fail("node B does not answer searches after the heal: " + r.status() + " " + r.raw());
            Poll.pause(250);
        }
    }

    /** The hits' scores in rank order, to four places (replicas may differ in the last bits of a float). */
    private static List<String> scores(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : result.path("documents")) out.add(String.format(java.util.Locale.ROOT, "%.4f", d.path("score").asDouble()));
        assertFalse(out.isEmpty(), "a search that finds nothing proves nothing: " + result);
        assertTrue(result.path("documents").get(0).has("score"), "hits carry a score: " + result);
        return out;
    }
}
