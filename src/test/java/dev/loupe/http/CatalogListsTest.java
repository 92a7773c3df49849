package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's list endpoints do what their request bodies ask (filters, sort, search,
 * select, status, paging in the body), and refuse what they cannot do rather than ignore it.
 */
class CatalogListsTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;
    private static String bucketId;
    private static String collectionId;
    private static String failedTaskId;
    private static String completedTaskId;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        api = server.admin("lists");
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"lists\"}");
        bucketId = api.ok("POST", "/v1/buckets", """
                {"bucket_name": "shoes", "description": "running shoes",
                 "bucket_schema": {"properties": {"image": {"type": "image"}}}}""").path("bucket_id").asText();
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"hats\", \"description\": \"Winter HATS\", \"metadata\": {\"season\": \"winter\"}}");
        String[] brands = {"Acme", "Zenith", "acme", "Bolt"};
        for (int i = 0; i < brands.length; i++) {
            String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get("red"), 64, 48, i)), "image/png");
            api.ok("POST", "/v1/buckets/shoes/objects", """
                    {"key_prefix": "/shoes/%d", "blobs": [{"property": "image", "type": "image", "data": "%s"}],
                     "metadata": {"brand": "%s", "price": %d, "tags": ["sale", "n%d"]}}""".formatted(i, image, brands[i], (i + 1) * 10, i));
        }
        JsonNode collection = api.ok("POST", "/v1/collections", """
                {"collection_name": "shoe-images", "source": {"type": "bucket", "bucket_ids": ["shoes"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                       "input_mappings": {"image": "payload.image"}}}""");
        collectionId = collection.path("collection_id").asText();
        completedTaskId = collection.path("task_id").asText();
        assertEquals("COMPLETED", api.awaitTask(completedTaskId, Duration.ofSeconds(60)).path("status").asText());
        // An object whose image cannot be fetched fails, so its batch's task fails.
        String broken = api.ok("POST", "/v1/buckets/shoes/objects", """
                {"blobs": [{"property": "image", "type": "image", "data": "http://127.0.0.1:9/gone.jpg"}],
                 "metadata": {"brand": "Broken", "price": 5}}""").path("object_id").asText();
        String batch = api.ok("POST", "/v1/buckets/shoes/batches", "{\"object_ids\": [\"" + broken + "\"]}").path("batch_id").asText();
        failedTaskId = api.ok("POST", "/v1/buckets/shoes/batches/" + batch + "/submit", "{}").path("task_id").asText();
        assertEquals("FAILED", api.awaitTask(failedTaskId, Duration.ofSeconds(60)).path("status").asText());
        api.ok("POST", "/v1/buckets/shoes/batches", "{\"object_ids\": [\"" + broken + "\"]}");
        for (String name : List.of("alpha-search", "beta-search")) {
            api.ok("POST", "/v1/retrievers", """
                    {"retriever_name": "%s", "description": "finds %s", "collection_ids": ["shoe-images"],
                     "stages": [{"stage_name": "all", "stage_type": "filter", "config": {"stage_id": "feature_search",
                       "parameters": {"searches": [], "pre_filters": {"metadata.brand": "Acme"}}}}]}""".formatted(name, name));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> values(JsonNode results, String path) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : results) {
            JsonNode v = r;
            for (String p : path.split("\\.")) v = v.path(p);
            out.add(v.asText());
        }
        return out;
    }

    @Test
    void objectsListFiltersOnMetadataCaseInsensitivelyByDefault() {
        JsonNode r = api.ok("POST", "/v1/buckets/shoes/objects/list", "{\"filters\": {\"metadata.brand\": \"ACME\"}}");
        assertEquals(List.of("Acme", "acme"), values(r.path("results"), "metadata.brand"));
        assertEquals(2, r.path("pagination").path("total").asInt());
        OpenApi.assertConforms("ListObjectsResponse", r);
        JsonNode exact = api.ok("POST", "/v1/buckets/shoes/objects/list",
                "{\"filters\": {\"metadata.brand\": \"acme\"}, \"case_sensitive\": true}");
        assertEquals(List.of("acme"), values(exact.path("results"), "metadata.brand"));
    }

    @Test
    void objectsListFiltersWithOperatorsAndStatus() {
        JsonNode cheap = api.ok("POST", "/v1/buckets/shoes/objects/list", """
                {"filters": {"AND": [{"field": "metadata.price", "operator": "lte", "value": 20},
                                     {"field": "status", "operator": "eq", "value": "COMPLETED"}]}}""");
        assertEquals(List.of("Acme", "Zenith"), values(cheap.path("results"), "metadata.brand"));
        JsonNode failed = api.ok("POST", "/v1/buckets/shoes/objects/list", "{\"filters\": {\"status\": \"FAILED\"}}");
        assertEquals(List.of("Broken"), values(failed.path("results"), "metadata.brand"));
    }

    @Test
    void objectsListSortsAndPagesTheSortedWhole() {
        JsonNode r = api.ok("POST", "/v1/buckets/shoes/objects/list?limit=2&offset=1",
                "{\"sort\": {\"field\": \"metadata.price\", \"direction\": \"desc\"}}");
        assertEquals(List.of("30", "20"), values(r.path("results"), "metadata.price"));
        assertEquals(5, r.path("pagination").path("total").asInt());
        JsonNode asc = api.ok("POST", "/v1/buckets/shoes/objects/list?limit=1", "{\"sort\": [{\"field\": \"metadata.price\"}]}");
        assertEquals(List.of("5"), values(asc.path("results"), "metadata.price"));
    }

    @Test
    void objectsListSearchesKeysAndMetadata() {
        assertEquals(List.of("Bolt"), values(api.ok("POST", "/v1/buckets/shoes/objects/list", "{\"search\": \"bol\"}")
                .path("results"), "metadata.brand"));
        assertEquals(List.of("Zenith"), values(api.ok("POST", "/v1/buckets/shoes/objects/list", "{\"search\": \"/shoes/1\"}")
                .path("results"), "metadata.brand"));
        assertEquals(0, api.ok("POST", "/v1/buckets/shoes/objects/list", "{\"search\": \"nothing-like-this\"}")
                .path("results").size());
    }

    @Test
    void objectsListSelectKeepsTheIdentifyingFields() {
        JsonNode r = api.ok("POST", "/v1/buckets/shoes/objects/list?limit=1", "{\"select\": [\"metadata.brand\", \"status\"]}");
        JsonNode first = r.path("results").get(0);
        assertEquals(List.of("object_id", "bucket_id", "metadata", "status"), fieldNames(first));
        assertEquals(List.of("brand"), fieldNames(first.path("metadata")));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aListFieldTheEndpointDoesNotHaveIsRefused() {
        Api.Response r = api.post("/v1/buckets/shoes/objects/list", "{\"group_by\": \"metadata.brand\"}");
        assertEquals(422, r.status(), r.raw());
        assertTrue(r.raw().contains("group_by"), r.raw());
        Api.Response badSort = api.post("/v1/buckets/list", "{\"sort\": {\"field\": \"bucket_name\", \"direction\": \"up\"}}");
        assertEquals(422, badSort.status(), badSort.raw());
        Api.Response badStatus = api.post("/v1/tasks/list", "{\"status\": \"DONE-ISH\"}");
        assertEquals(422, badStatus.status(), badStatus.raw());
    }

    @Test
    void tasksListHonoursStatus() {
        JsonNode failed = api.ok("POST", "/v1/tasks/list", "{\"status\": \"FAILED\"}");
        assertEquals(List.of(failedTaskId), values(failed.path("results"), "task_id"));
        JsonNode completed = api.ok("POST", "/v1/tasks/list", "{\"status\": \"COMPLETED\"}");
        assertEquals(List.of(completedTaskId), values(completed.path("results"), "task_id"));
        OpenApi.assertConforms("ListTasksResponse", completed);
    }

    @Test
    void aCollectionsBackfillTaskIsFoundByFilteringTasksOnTheCollection() {
        JsonNode r = api.ok("POST", "/v1/tasks/list",
                "{\"filters\": {\"field\": \"inputs\", \"operator\": \"contains\", \"value\": \"" + collectionId + "\"}}");
        assertEquals(List.of(completedTaskId), values(r.path("results"), "task_id"));
    }

    @Test
    void tasksAreFoundWithoutANamespaceHeaderAsMixpeeksClientsSendThem() {
        Api bare = api.inNamespace(null);
        assertEquals(failedTaskId, bare.ok("GET", "/v1/tasks/" + failedTaskId, null).path("task_id").asText());
        JsonNode all = bare.ok("POST", "/v1/tasks/list", "{\"status\": \"FAILED\"}");
        assertEquals(List.of(failedTaskId), values(all.path("results"), "task_id"));
        // A key limited to another namespace does not see them.
        String other = api.ok("POST", "/v1/api-keys", "{\"name\": \"elsewhere\", \"namespaces\": [\"default\"]}").path("key").asText();
        Api outsider = bare.withKey(other);
        assertEquals(404, outsider.get("/v1/tasks/" + failedTaskId).status());
        assertEquals(0, outsider.ok("POST", "/v1/tasks/list", "{}").path("results").size());
    }

    @Test
    void batchesListFiltersByStatusPagesInTheBodyAndCounts() {
        JsonNode all = api.ok("POST", "/v1/buckets/shoes/batches/list", "{}");
        assertEquals(2, all.path("total_count").asInt());
        OpenApi.assertConforms("ListBatchesResponse", all);
        JsonNode drafts = api.ok("POST", "/v1/buckets/shoes/batches/list", "{\"status\": \"DRAFT\"}");
        assertEquals(1, drafts.path("total_count").asInt());
        assertEquals("DRAFT", drafts.path("results").get(0).path("status").asText());
        assertEquals(1, api.ok("POST", "/v1/buckets/shoes/batches/list", "{\"limit\": 1, \"offset\": 1}").path("results").size());
    }

    @Test
    void bucketsCollectionsRetrieversAndNamespacesHonourSearchFiltersAndSort() {
        assertEquals(List.of("hats"), values(api.ok("POST", "/v1/buckets/list", "{\"search\": \"winter\"}").path("results"), "bucket_name"));
        assertEquals(List.of("hats"), values(api.ok("POST", "/v1/buckets/list", "{\"filters\": {\"metadata.season\": \"winter\"}}")
                .path("results"), "bucket_name"));
        assertEquals(List.of("shoes", "hats"), values(api.ok("POST", "/v1/buckets/list",
                "{\"sort\": {\"field\": \"bucket_name\", \"direction\": \"desc\"}}").path("results"), "bucket_name"));
        assertEquals(List.of("hats"), values(api.ok("POST", "/v1/buckets/list", "{\"limit\": 1, \"offset\": 1}").path("results"), "bucket_name"));
        assertEquals(List.of("shoe-images"), values(api.ok("POST", "/v1/collections/list", "{\"search\": \"SHOE\"}").path("results"),
                "collection_name"));
        assertEquals(0, api.ok("POST", "/v1/collections/list", "{\"filters\": {\"collection_name\": \"hats\"}}").path("total_count").asInt());
        assertEquals(List.of("beta-search", "alpha-search"), values(api.ok("POST", "/v1/retrievers/list",
                "{\"sorts\": [{\"field\": \"retriever_name\", \"direction\": \"desc\"}]}").path("results"), "retriever_name"));
        assertEquals(List.of("beta-search"), values(api.ok("POST", "/v1/retrievers/list", "{\"search\": \"finds beta\"}").path("results"),
                "retriever_name"));
        JsonNode ns = api.ok("POST", "/v1/namespaces/list", "{\"filters\": {\"namespace_name\": \"lists\"}}");
        assertEquals(List.of("lists"), values(ns.path("results"), "namespace_name"));
        assertEquals(1, ns.path("total_count").asInt());
        assertFalse(values(api.ok("POST", "/v1/namespaces/list", "{\"search\": \"default\"}").path("results"), "namespace_name").contains("lists"));
    }
}
