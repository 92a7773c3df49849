package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/clusters} through the server: nine photos of three colours (the fixture encoder
 * embeds an image near its dominant colour) clustered into three groups, polled as a task,
 * enrichment found by a document filter, edits, deletion; every answer in Mixpeek's shapes.
 */
class ClusterRoutesTest {
    private static final List<String> COLOURS = List.of("red", "green", "blue");
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        api = server.admin("people");
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"people\"}");
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"photos\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
        for (String colour : COLOURS) {
            for (int seed = 0; seed < 3; seed++) {
                String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get(colour), 64, 48, seed)), "image/png");
                api.ok("POST", "/v1/buckets/photos/objects", """
                        {"blobs": [{"property": "image", "type": "image", "data": "%s"}], "metadata": {"colour": "%s"}}"""
                        .formatted(image, colour));
            }
        }
        String task = api.ok("POST", "/v1/collections", """
                {"collection_name": "photo-images", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "payload.image"}}}""")
                .path("task_id").asText();
        api.awaitTask(task, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String create(String name, String method, String params) {
        JsonNode c = api.ok("POST", "/v1/clusters", """
                {"collection_ids": ["photo-images"], "cluster_name": "%s",
                 "vector_config": {"feature_uris": ["mixpeek://image_extractor@v1/embedding"], "clustering_method": "%s", "algorithm_params": %s}}"""
                .formatted(name, method, params));
        OpenApi.assertConforms("ClusterMetadata", c);
        return c.path("cluster_id").asText();
    }

    private static JsonNode execute(String clusterId) {
        JsonNode task = api.ok("POST", "/v1/clusters/" + clusterId + "/execute", "{}");
        OpenApi.assertConforms("TaskResponse", task);
        assertEquals("engine_cluster_build", task.path("task_type").asText());
        JsonNode done = api.awaitTask(task.path("task_id").asText(), Duration.ofSeconds(60));
        OpenApi.assertConforms("TaskResponse", done);
        assertEquals("COMPLETED", done.path("status").asText(), done.toString());
        JsonNode run = api.ok("GET", "/v1/clusters/" + clusterId + "/executions", null);
        OpenApi.assertConforms("ClusterExecutionResult", run);
        return run;
    }

    /** Colours of the documents that carry {@code clusterId}. */
    private static List<String> coloursIn(String clusterId) {
        JsonNode page = api.ok("POST", "/v1/collections/photo-images/documents/list?limit=100", """
                {"filters": {"AND": [{"field": "cluster_id", "operator": "eq", "value": "%s"}]}}""".formatted(clusterId));
        List<String> out = new java.util.ArrayList<>();
        page.path("results").forEach(d -> out.add(d.path("metadata").path("colour").asText()));
        return out;
    }

    @Test
    void kmeansGroupsThePhotosByColourAndEnrichesEveryDocument() {
        String id = create("by-colour", "kmeans", "{\"n_clusters\": 3}");
        JsonNode run = execute(id);
        assertEquals("completed", run.path("status").asText());
        assertEquals(3, run.path("num_clusters").asInt());
        assertEquals(9, run.path("num_points").asInt());
        Set<String> seen = new HashSet<>();
        for (JsonNode c : run.path("centroids")) {
            assertEquals(3, c.path("num_members").asInt());
            assertEquals(768, c.path("centroid").size(), "the fixture encoder's dimension");
            List<String> colours = coloursIn(c.path("cluster_id").asText());
            assertEquals(3, colours.size());
            assertEquals(1, new HashSet<>(colours).size(), "one colour per cluster: " + colours);
            seen.add(colours.getFirst());
        }
        assertEquals(Set.copyOf(COLOURS), seen);
        JsonNode meta = api.ok("GET", "/v1/clusters/" + id, null);
        OpenApi.assertConforms("ClusterMetadata", meta);
        assertEquals("COMPLETED", meta.path("status").asText());
        assertEquals(3, meta.path("num_clusters").asInt());
        assertEquals(9, meta.path("num_documents_clustered").asInt());
        JsonNode listed = api.ok("POST", "/v1/clusters/list", "{\"search\": \"by-colour\"}");
        OpenApi.assertConforms("ListClustersResponse", listed);
        assertEquals(1, listed.path("total_count").asInt());
    }

    @Test
    void mergeAndMoveChangeTheClustersAtOnceAndDeleteClearsTheFields() {
        String id = create("edited", "agglomerative", "{\"n_clusters\": 3, \"linkage\": \"average\", \"affinity\": \"cosine\"}");
        JsonNode run = execute(id);
        List<String> ids = new java.util.ArrayList<>();
        run.path("centroids").forEach(c -> ids.add(c.path("cluster_id").asText()));
        JsonNode merged = api.ok("POST", "/v1/clusters/" + id + "/merge",
                "{\"source_cluster_ids\": [\"" + ids.get(1) + "\"], \"target_cluster_id\": \"" + ids.get(0) + "\"}");
        OpenApi.assertConforms("ClusterExecutionResult", merged);
        assertEquals(2, merged.path("num_clusters").asInt());
        assertEquals(6, coloursIn(ids.get(0)).size());
        String moving = api.ok("POST", "/v1/collections/photo-images/documents/list?limit=1", """
                {"filters": {"AND": [{"field": "cluster_id", "operator": "eq", "value": "%s"}]}}""".formatted(ids.get(2)))
                .path("results").get(0).path("document_id").asText();
        JsonNode moved = api.ok("POST", "/v1/clusters/" + id + "/move",
                "{\"document_ids\": [\"" + moving + "\"], \"target_cluster_id\": \"" + ids.get(0) + "\"}");
        assertEquals(7, coloursIn(ids.get(0)).size());
        assertEquals(2, coloursIn(ids.get(2)).size());
        assertEquals(2, moved.path("num_clusters").asInt());
        assertEquals(7, execute(id).path("centroids").get(0).path("num_members").asInt(), "edits survive the next execution");

        JsonNode deleted = api.ok("DELETE", "/v1/clusters/" + id, null);
        assertTrue(deleted.path("success").asBoolean());
        assertEquals(0, coloursIn(ids.get(0)).size());
        assertEquals(404, api.get("/v1/clusters/" + id).status());
    }

    @Test
    void badParametersAreA422NamingTheField() {
        Api.Response r = api.post("/v1/clusters", """
                {"collection_ids": ["photo-images"], "vector_config": {"clustering_method": "dbscan", "algorithm_params": {"eps": -1}}}""");
        assertEquals(422, r.status(), r.raw());
        OpenApi.assertConforms("ErrorResponse", r.body());
        assertTrue(r.body().path("error").path("message").asText().contains("vector_config.algorithm_params.eps"), r.raw());
        Api.Response uri = api.post("/v1/clusters", """
                {"collection_ids": ["photo-images"], "vector_config": {"feature_uris": ["mixpeek://face@v1/x"], "clustering_method": "kmeans"}}""");
        assertEquals(422, uri.status(), uri.raw());
        Api.Response missing = api.post("/v1/clusters/clust_nothere/execute", "{}");
        assertEquals(404, missing.status(), missing.raw());
        String id = create("unrun", "kmeans", "{\"n_clusters\": 2}");
        Api.Response early = api.post("/v1/clusters/" + id + "/merge", "{\"source_cluster_ids\": [\"cl_1\"], \"target_cluster_id\": \"cl_0\"}");
        assertEquals(409, early.status(), early.raw());
    }

    @Test
    void tooFewDocumentsForTheClusterCountFailsTheTaskWithTheReason() {
        String id = create("too-many", "kmeans", "{\"n_clusters\": 20}");
        JsonNode task = api.ok("POST", "/v1/clusters/" + id + "/execute", "{}");
        JsonNode done = api.awaitTask(task.path("task_id").asText(), Duration.ofSeconds(60));
        OpenApi.assertConforms("TaskResponse", done);
        assertEquals("FAILED", done.path("status").asText());
        JsonNode run = api.ok("GET", "/v1/clusters/" + id + "/executions", null);
        OpenApi.assertConforms("ClusterExecutionResult", run);
        assertEquals("n_clusters is 20 but only 9 documents were found", run.path("error_message").asText());
    }
}
