package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PATCH of buckets, objects, collections, retrievers and namespaces: what may change does, durably; the rest is a 422 saying why. */
class ResourceUpdatesTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;
    private static String objectId;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        api = server.admin("edits");
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"edits\"}");
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"photos\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"taken\"}");
        String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get("blue"), 32, 32, 1)), "image/png");
        objectId = api.ok("POST", "/v1/buckets/photos/objects", """
                {"blobs": [{"property": "image", "type": "image", "data": "%s"}], "metadata": {"title": "Sea", "year": 2020, "drop": "me"}}"""
                .formatted(image)).path("object_id").asText();
        String task = api.ok("POST", "/v1/collections", """
                {"collection_name": "photo-images", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "payload.image"}}}""")
                .path("task_id").asText();
        api.awaitTask(task, Duration.ofSeconds(60));
        api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "finder", "collection_ids": ["photo-images"],
                 "stages": [{"stage_name": "all", "stage_type": "filter", "config": {"stage_id": "feature_search",
                   "parameters": {"searches": [], "pre_filters": {"metadata.year": 2020}}}}]}""");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void bucketRenameAndMetadataMergeLast() {
        JsonNode b = api.ok("PATCH", "/v1/buckets/photos", "{\"description\": \"holiday photos\", \"metadata\": {\"owner\": \"ann\"}}");
        OpenApi.assertConforms("BucketResponse", b);
        assertEquals("holiday photos", b.path("description").asText());
        JsonNode renamed = api.ok("PATCH", "/v1/buckets/photos", "{\"bucket_name\": \"pictures\", \"metadata\": {\"team\": \"x\"}}");
        assertEquals("pictures", renamed.path("bucket_name").asText());
        JsonNode again = api.ok("GET", "/v1/buckets/pictures", null);
        assertEquals("ann", again.path("metadata").path("owner").asText(), "metadata is merged, not replaced");
        assertEquals("x", again.path("metadata").path("team").asText());
        assertEquals(1, again.path("object_count").asInt());
        assertEquals(409, api.send("PATCH", "/v1/buckets/pictures", "{\"bucket_name\": \"taken\"}").status());
        Api.Response schema = api.send("PATCH", "/v1/buckets/pictures", "{\"bucket_schema\": {\"properties\": {}}}");
        assertEquals(422, schema.status(), schema.raw());
        assertTrue(schema.raw().contains("bucket_schema") && schema.raw().contains("cannot be changed"), schema.raw());
        api.ok("PATCH", "/v1/buckets/pictures", "{\"bucket_name\": \"photos\"}");
    }

    @Test
    void objectMetadataMergesAndNullRemovesAKey() {
        JsonNode o = api.ok("PATCH", "/v1/buckets/photos/objects/" + objectId, "{\"metadata\": {\"title\": \"Sunset\", \"drop\": null}}");
        OpenApi.assertConforms("ObjectResponse", o);
        JsonNode read = api.ok("GET", "/v1/buckets/photos/objects/" + objectId, null);
        assertEquals("Sunset", read.path("metadata").path("title").asText());
        assertEquals(2020, read.path("metadata").path("year").asInt());
        assertFalse(read.path("metadata").has("drop"));
        assertEquals("COMPLETED", read.path("status").asText());
        Api.Response blobs = api.send("PATCH", "/v1/buckets/photos/objects/" + objectId, "{\"blobs\": []}");
        assertEquals(422, blobs.status(), blobs.raw());
        Api.Response unknown = api.send("PATCH", "/v1/buckets/photos/objects/" + objectId, "{\"colour\": \"red\"}");
        assertEquals(422, unknown.status(), unknown.raw());
        assertTrue(unknown.raw().contains("colour"), unknown.raw());
    }

    @Test
    void whatAGetReturnedMayBeSentBackWithOneFieldChanged() {
        ObjectNode read = (ObjectNode) api.ok("GET", "/v1/collections/photo-images", null);
        read.put("description", "edited after reading");
        JsonNode c = api.ok("PATCH", "/v1/collections/photo-images", read.toString());
        OpenApi.assertConforms("CollectionResponse", c);
        assertEquals("edited after reading", c.path("description").asText());
        assertEquals(1, c.path("document_count").asInt());
        Api.Response extractor = api.send("PATCH", "/v1/collections/photo-images",
                "{\"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v2\"}}");
        assertEquals(422, extractor.status(), extractor.raw());
        assertTrue(extractor.raw().contains("feature_extractor"), extractor.raw());
    }

    @Test
    void retrieverRenameKeepsItsPipeline() {
        JsonNode r = api.ok("PATCH", "/v1/retrievers/finder", "{\"retriever_name\": \"finder-2\", \"description\": \"by year\"}");
        OpenApi.assertConforms("PatchRetrieverResponse", r);
        assertEquals("finder-2", r.path("retriever").path("retriever_name").asText());
        assertEquals(1, api.ok("POST", "/v1/retrievers/finder-2/execute", "{\"inputs\": {}}").path("documents").size());
        Api.Response stages = api.send("PATCH", "/v1/retrievers/finder-2", "{\"stages\": []}");
        assertEquals(422, stages.status(), stages.raw());
        api.ok("PATCH", "/v1/retrievers/finder-2", "{\"retriever_name\": \"finder\"}");
    }

    @Test
    void namespaceRenameKeepsItsContents() {
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"scratch\"}");
        JsonNode ns = api.ok("PATCH", "/v1/namespaces/scratch", "{\"namespace_name\": \"scratch-2\", \"description\": \"tmp\"}");
        OpenApi.assertConforms("NamespaceModel", ns);
        assertEquals("tmp", api.ok("GET", "/v1/namespaces/scratch-2", null).path("description").asText());
        assertEquals(404, api.get("/v1/namespaces/scratch").status());
        assertEquals(422, api.send("PATCH", "/v1/namespaces/default", "{\"namespace_name\": \"renamed\"}").status());
    }

    @Test
    void aNameReadsBackAsItWasSentOrIsRefused() {
        JsonNode emoji = api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"bags \\ud83d\\udc5c\"}");
        assertEquals("bags \ud83d\udc5c", api.ok("GET", "/v1/buckets/" + emoji.path("bucket_id").asText(), null).path("bucket_name").asText());
        Api.Response lone = api.post("/v1/buckets", "{\"bucket_name\": \"half \\ud83d pair\"}");
        assertEquals(422, lone.status(), lone.raw());
        assertTrue(lone.raw().contains("surrogate"), lone.raw());
        assertEquals(422, api.send("PATCH", "/v1/buckets/photos", "{\"bucket_name\": \"x\\udc5c\"}").status());
        assertEquals(422, api.post("/v1/buckets", "{\"bucket_name\": \"tab\\tname\"}").status());
    }

    @Test
    void everyStringFieldRefusesHalfASurrogatePairNamingTheField() {
        Api.Response description = api.post("/v1/buckets", "{\"bucket_name\": \"described\", \"description\": \"half \\udc5c\"}");
        assertEquals(422, description.status(), description.raw());
        assertEquals("description", description.body().path("error").path("details").path("field").asText(), description.raw());
        assertEquals("description: holds a lone UTF-16 surrogate at character 5; send valid Unicode",
                description.body().path("error").path("message").asText());
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"whole\", \"description\": \"pair \\ud83d\\udc5c\"}");
        Api.Response patched = api.send("PATCH", "/v1/buckets/whole", "{\"description\": \"\\ud83d\"}");
        assertEquals(422, patched.status(), patched.raw());
        assertEquals("description", patched.body().path("error").path("details").path("field").asText(), patched.raw());
        assertEquals(404, api.get("/v1/buckets/described").status(), "nothing was created");
        assertEquals("pair \ud83d\udc5c", api.ok("GET", "/v1/buckets/whole", null).path("description").asText(), "nothing was changed");
    }
}
