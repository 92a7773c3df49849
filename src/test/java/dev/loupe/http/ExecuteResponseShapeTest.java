package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Execute responses, saved and ad hoc, in the shape Mixpeek documents. The execute
 * operations' response schema is empty in Mixpeek's document (Prism can check nothing), so
 * they are held here to the execution schema the document does give, {@code ExecutionDetail}
 * (what {@code GET .../executions/{id}} returns), and its parts to theirs: each document a
 * {@code DocumentResponse}, the statistics {@code RetrieverExecutionStatistics} with each
 * stage a {@code StageStatistics}, and the pagination a {@code PaginationResponse}.
 */
class ExecuteResponseShapeTest {
    private static final String SEARCH = """
            "stages": [{"stage_name": "search", "stage_type": "filter",
                        "config": {"stage_id": "feature_search",
                                   "parameters": {"searches": [{"feature_uri": "mixpeek://image_extractor@v1/embedding",
                                                                "query": {"input_mode": "text", "value": "{{INPUT.query}}"}, "top_k": 10}],
                                                  "final_top_k": 10}}},
                       {"stage_name": "only-acme", "stage_type": "filter",
                        "config": {"stage_id": "attribute_filter",
                                   "parameters": {"field": "metadata.brand", "operator": "eq", "value": "Acme"}}}]""";
    private static final String INPUT_SCHEMA = "\"input_schema\": {\"query\": {\"type\": \"text\", \"required\": true}}";

    @TempDir
    static Path data;
    private static TestServer server;
    private static ImageHost images;
    private static Api api;

    @BeforeAll
    static void seed() {
        server = new TestServer(data);
        images = new ImageHost();
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", """
                {"bucket_name": "shapes", "bucket_schema": {"properties": {"image_url": {"type": "image"}, "brand": {"type": "string"}}}}""");
        Map<String, String> brands = Map.of("red", "Acme", "blue", "Acme", "green", "Other");
        for (String colour : List.of("red", "blue", "green")) {
            String url = images.put("/shape/" + colour + ".jpg", Images.jpeg(Images.dominant(Images.BASIC.get(colour), 320, 240, colour.length())));
            api.ok("POST", "/v1/buckets/shapes/objects", """
                    {"blobs": [{"property": "image_url", "type": "image", "data": "%s"}], "metadata": {"brand": "%s"}}"""
                    .formatted(url, brands.get(colour)));
        }
        JsonNode collection = api.ok("POST", "/v1/collections", """
                {"collection_name": "shape-images", "source": {"type": "bucket", "bucket_ids": ["shapes"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": {"image": "payload.image_url"}, "parameters": {"enable_thumbnails": true}}}""");
        assertEquals("COMPLETED", api.awaitTask(collection.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText());
        api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "shape-search", "collection_identifiers": ["shape-images"], %s, %s}""".formatted(INPUT_SCHEMA, SEARCH));
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    /** The response and each of its parts in their documented schemas, and the statistics consistent with the documents. */
    private static void assertExecutionShape(JsonNode r) {
        OpenApi.assertConforms("ExecutionDetail", r);
        assertTrue(r.path("execution_id").asText().startsWith("exec_"), "execution ids have Mixpeek's prefix: " + r.path("execution_id"));
        assertTrue(r.path("documents").isArray(), "documents is an array");
        for (JsonNode d : r.path("documents")) {
            OpenApi.assertConforms("DocumentResponse", d);
            assertTrue(d.path("score").isNumber(), "every result has a score: " + d);
        }
        OpenApi.assertConforms("PaginationResponse", r.path("pagination"));
        JsonNode stats = r.path("stage_statistics");
        OpenApi.assertConforms("RetrieverExecutionStatistics", stats);
        assertEquals(List.of("search", "only-acme"), List.copyOf(fieldNames(stats.path("stages"))), "one entry per stage, by stage name");
        for (JsonNode s : stats.path("stages")) {
            OpenApi.assertConforms("StageStatistics", s);
            double expected = s.path("input_count").asInt() == 0 ? 0 : s.path("output_count").asDouble() / s.path("input_count").asDouble();
            assertEquals(expected, s.path("efficiency").asDouble(), 1e-9, "efficiency is output/input: " + s);
        }
        assertEquals(r.path("pagination").path("total").asInt(), stats.path("stages").path("only-acme").path("output_count").asInt(),
                "the last stage's output is what the pages hold");
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }

    @Test
    void savedRetrieverExecutionIsAnExecutionDetail() {
        String request = "{\"inputs\": {\"query\": \"red\"}, \"pagination\": {\"method\": \"offset\", \"page_size\": 5, \"page_number\": 1}}";
        OpenApi.assertConforms("ExecuteRetrieverRequest", Api.parse(request));
        JsonNode r = api.ok("POST", "/v1/retrievers/shape-search/execute", request);
        assertExecutionShape(r);
        assertEquals(2, r.path("documents").size(), "the two Acme images: " + r);
        assertEquals(3, r.path("stage_statistics").path("stages").path("search").path("output_count").asInt());
        assertEquals(2.0 / 3.0, r.path("stage_statistics").path("stages").path("only-acme").path("efficiency").asDouble(), 1e-9);
    }

    @Test
    void adHocExecutionIsAnExecutionDetail() {
        String request = """
                {"collection_identifiers": ["shape-images"], %s, "inputs": {"query": "blue"}, %s}""".formatted(INPUT_SCHEMA, SEARCH);
        OpenApi.assertConforms("AdhocExecuteRequest", Api.parse(request));
        JsonNode r = api.ok("POST", "/v1/retrievers/execute", request);
        assertExecutionShape(r);
        assertEquals(2, r.path("documents").size(), r.toString());
    }

    @Test
    void anExecutionFindingNothingIsStillAnExecutionDetail() {
        JsonNode r = api.ok("POST", "/v1/retrievers/shape-search/execute", """
                {"inputs": {"query": "red"}, "pagination": {"method": "offset", "page_size": 5, "page_number": 9}}""");
        assertExecutionShape(r);
        assertEquals(0, r.path("documents").size(), "page 9 of one page is empty: " + r);
    }

    @Test
    void theSearchStageSaysHowItFoundItsHitsInExecuteAndExplain() {
        JsonNode r = api.ok("POST", "/v1/retrievers/shape-search/execute", "{\"inputs\": {\"query\": \"red\"}}");
        JsonNode search = r.path("stage_statistics").path("stages").path("search").path("search");
        assertTrue(List.of("graph", "exact", "mixed").contains(search.path("method").asText()), "how the hits were found: " + search);
        assertTrue(search.path("segments").asInt() >= 1, search.toString());
        assertEquals(search.path("segments").asInt(), search.path("graph_segments").asInt() + search.path("exact_segments").asInt(), search.toString());
        assertTrue(search.path("post_filtered_segments").asInt(-1) >= 0, "among the graph segments, those post-filtered: " + search);
        assertTrue(search.path("filter_matches").isMissingNode(), "no pre_filters, no matches to report: " + search);
        assertTrue(r.path("stage_statistics").path("stages").path("only-acme").path("search").isMissingNode(), "only searches say how they searched");
        JsonNode plan = api.ok("POST", "/v1/retrievers/shape-search/execute/explain", "{\"inputs\": {\"query\": \"red\"}}").path("execution_plan");
        assertEquals(search.path("method").asText(), plan.path(0).path("search").path("method").asText(), "explain shows the last execution's: " + plan);
        assertEquals(search.path("segments"), plan.path(0).path("search").path("segments"));
    }

    @Test
    void aPreFilteredSearchIsScannedExactlyAndCountsTheDocumentsTheFilterMatched() {
        String stages = SEARCH.replace("\"final_top_k\": 10}", "\"final_top_k\": 10, \"pre_filters\": {\"metadata.brand\": \"Acme\"}}");
        JsonNode r = api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["shape-images"], %s, "inputs": {"query": "blue"}, %s}""".formatted(INPUT_SCHEMA, stages));
        assertExecutionShape(r);
        JsonNode search = r.path("stage_statistics").path("stages").path("search").path("search");
        assertEquals("exact", search.path("method").asText(), "two matches of three documents: " + search);
        assertEquals(2, search.path("filter_matches").asInt(), search.toString());
        assertEquals(0, search.path("nodes_visited").asInt(), search.toString());
        assertFalse(search.path("rescored").asBoolean(), "float32 vectors need no rescoring: " + search);
    }
}
