package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.provider.StandIn;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.VisionStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --multimodal-model vertex}: the cross-modal embedding comes from Vertex AI's
 * {@code multimodalembedding@001} (a stand-in that embeds a picture or a text near its colour,
 * as a real multimodal model would embed them near their meaning), for images, texts, text
 * queries and image queries alike, at the configured dimension.
 */
class MultimodalVertexTest {
    private static final List<String> COLOURS = List.copyOf(Images.BASIC.keySet());
    private static final int DIMENSION = 128;

    @TempDir
    static Path dir;
    private static StandIn vertex;
    private static TestServer server;
    private static Api api;
    private static String collectionId;

    @BeforeAll
    static void ingest() throws Exception {
        vertex = new StandIn(request -> StandIn.Answer.ok(prediction(request.body().path("instances").get(0))));
        Path token = dir.resolve("token");
        Files.writeString(token, "ya29.standin-token");
        server = TestServer.withFlags(dir.resolve("data"), "--multimodal-model", "vertex", "--vertex-project", "loupe-test",
                "--vertex-url", vertex.url().toString(), "--vertex-dimension", String.valueOf(DIMENSION), "--vertex-token-file", token.toString());
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
        for (String colour : List.of("red", "blue", "green")) {
            api.ok("POST", "/v1/buckets/b/objects", """
                    {"blobs": [{"property": "img", "type": "image", "data": "%s"}], "metadata": {"colour": "%s"}}"""
                    .formatted(Images.dataUri(Images.jpeg(Images.dominant(Images.BASIC.get(colour), 320, 240, 1)), "image/jpeg"), colour));
        }
        api.ok("POST", "/v1/buckets/b/objects", """
                {"blobs": [{"property": "caption", "type": "text", "data": "a yellow raincoat"}], "metadata": {"colour": "yellow"}}""");
        JsonNode col = api.ok("POST", "/v1/collections", """
                {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "multimodal_extractor", "version": "v1",
                   "input_mappings": {"image": "img", "text": "caption"}, "parameters": {}}}""");
        assertEquals(DIMENSION, col.path("vector_indexes").get(0).path("size").asInt(), col.toString());
        collectionId = col.path("collection_id").asText();
        assertEquals("COMPLETED", api.awaitTask(col.path("task_id").asText(), Duration.ofMinutes(2)).path("status").asText());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (vertex != null) vertex.close();
    }

    /** A vector with a large component at the colour's axis (a picture's dominant colour, or a colour the text names), unnormalised. */
    private static ObjectNode prediction(JsonNode instance) {
        float[] v = new float[DIMENSION];
        java.util.Arrays.fill(v, 0.01f);
        String field;
        if (instance.has("image")) {
            v[COLOURS.indexOf(VisionStandIn.dominantColour(StandIn.jpeg(instance.path("image").path("bytesBase64Encoded").asText())))] = 5;
            field = "imageEmbedding";
        } else {
            String text = instance.path("text").asText().toLowerCase(Locale.ROOT);
            for (String c : COLOURS) if (text.contains(c)) v[COLOURS.indexOf(c)] = 5;
            field = "textEmbedding";
        }
        ObjectNode body = Json.object();
        ObjectNode prediction = body.putArray("predictions").addObject();
        var array = prediction.putArray(field);
        for (float x : v) array.add(x);
        return body.put("deployedModelId", "standin");
    }

    private static JsonNode search(String query) {
        return api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "limit": 10, "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                  "parameters": {"feature_uri": "mixpeek://multimodal_extractor@v1/multimodal_embedding", "query": %s, "top_k": 4}}}]}"""
                .formatted(collectionId, query));
    }

    @Test
    void imagesAndTextsAreEmbeddedByVertexAndNormalised() {
        JsonNode docs = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list", "{\"return_vectors\": true}").path("results");
        assertEquals(4, docs.size());
        for (JsonNode d : docs) {
            JsonNode v = d.path("multimodal_extractor_v1_multimodal_embedding");
            assertEquals(DIMENSION, v.size(), d.toString());
            double norm = 0;
            for (JsonNode x : v) norm += x.asDouble() * x.asDouble();
            assertEquals(1.0, Math.sqrt(norm), 1e-4);
        }
        long images = vertex.requests().stream().filter(r -> r.body().path("instances").get(0).has("image")).count();
        assertTrue(images >= 3, "one predict call per image");
        for (StandIn.Request r : vertex.requests()) {
            assertEquals("Bearer ya29.standin-token", r.header("Authorization"));
            assertEquals(DIMENSION, r.body().path("parameters").path("dimension").asInt());
            assertTrue(r.path().endsWith("/projects/loupe-test/locations/us-central1/publishers/google/models/multimodalembedding@001:predict"), r.path());
        }
    }

    @Test
    void textAndImageQueriesGoThroughVertexToo() {
        assertEquals("yellow", search("\"yellow\"").path("documents").get(0).path("metadata").path("colour").asText(), "the text object");
        assertEquals("green", search("\"green\"").path("documents").get(0).path("metadata").path("colour").asText());
        String blue = Images.dataUri(Images.jpeg(Images.dominant(Images.BASIC.get("blue"), 200, 200, 9)), "image/jpeg");
        JsonNode byImage = search("{\"input_mode\": \"content\", \"value\": \"" + blue + "\"}");
        assertEquals("blue", byImage.path("documents").get(0).path("metadata").path("colour").asText(), byImage.toString());
    }
}
