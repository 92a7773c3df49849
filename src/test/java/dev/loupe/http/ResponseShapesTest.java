package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers Prism found out of Mixpeek's documented shapes (PrismContractTest), each held
 * to its component schema directly, so they stay checked where node is missing too.
 */
class ResponseShapesTest {
    private static final String OBJECT = "{\"blobs\": [{\"property\": \"img\", \"type\": \"text\", \"data\": {\"text\": \"%s\"}}]}";

    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"text\"}}}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void objectsBatchAnswersSucceededAndFailedWithTheirCounts() {
        JsonNode r = api.ok("POST", "/v1/buckets/b/objects/batch", "{\"objects\": [" + OBJECT.formatted("a") + ", " + OBJECT.formatted("b") + "]}");
        OpenApi.assertConforms("CreateObjectsBatchResponse", r);
        assertEquals(2, r.path("succeeded").size());
        assertEquals(2, r.path("total_requested").asInt());
        assertEquals(2, r.path("succeeded_count").asInt());
        assertEquals(0, r.path("failed_count").asInt());
        assertEquals(0, r.path("failed").size());
    }

    @Test
    void deletingAnObjectAnswers204WithoutABody() {
        String id = api.ok("POST", "/v1/buckets/b/objects", OBJECT.formatted("doomed")).path("object_id").asText();
        Api.Response r = api.delete("/v1/buckets/b/objects/" + id);
        assertEquals(204, r.status(), r.raw());
        assertEquals("", r.raw());
        assertEquals(404, api.get("/v1/buckets/b/objects/" + id).status());
    }

    @Test
    void batchListsCarryTheirTotalCount() {
        String id = api.ok("POST", "/v1/buckets/b/objects", OBJECT.formatted("batched")).path("object_id").asText();
        api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"" + id + "\"]}");
        JsonNode r = api.ok("POST", "/v1/buckets/b/batches/list", "{}");
        OpenApi.assertConforms("ListBatchesResponse", r);
        assertEquals(r.path("results").size(), r.path("total_count").asInt());
    }

    @Test
    void namespaceExtractorsCarryTheirInstanceId() {
        JsonNode ns = api.ok("POST", "/v1/namespaces", """
                {"namespace_name": "with-extractors", "feature_extractors": [{"feature_extractor_name": "image_extractor", "version": "v1"}]}""");
        OpenApi.assertConforms("NamespaceModel", ns);
        assertEquals("image_extractor_v1", ns.path("feature_extractors").get(0).path("feature_extractor_id").asText());
        OpenApi.assertConforms("NamespaceModel", api.ok("GET", "/v1/namespaces/with-extractors", null));
        OpenApi.assertConforms("ListNamespacesResponse", api.ok("POST", "/v1/namespaces/list", "{}"));
    }
}
