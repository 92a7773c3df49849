package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.provider.StandIn.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Vertex client against a stand-in of {@code multimodalembedding@001:predict}. */
class VertexEmbeddingsTest {
    /** A vector whose values say which kind of input it answers and its length. */
    static ArrayNode vector(int dimension, float first) {
        ArrayNode v = Json.array();
        for (int i = 0; i < dimension; i++) v.add(first + i * 0.001f);
        return v;
    }

    /** Answers as the service does: the embedding for whichever input the instance holds, at the asked dimension. */
    static StandIn server(int answeredDimension) {
        return new StandIn(r -> {
            JsonNode instance = r.body().path("instances").path(0);
            ObjectNode prediction = Json.object();
            if (instance.has("image")) prediction.set("imageEmbedding", vector(answeredDimension, 0.5f));
            if (instance.has("text")) prediction.set("textEmbedding", vector(answeredDimension, -0.5f));
            ObjectNode body = Json.object();
            body.putArray("predictions").add(prediction);
            body.put("deployedModelId", "1234");
            return Answer.ok(body);
        });
    }

    private static VertexSettings settings(StandIn server, int dimension, Optional<Secret> token, Optional<Path> file) {
        return new VertexSettings("loupe-test", "europe-west4", dimension, server.url(), token, file, ProviderSettings.DEFAULT_IMAGE_MAX_SIDE, StandIn.quick());
    }

    @Test
    void embedsAnImageWithTheDocumentedPredictRequest() {
        try (StandIn server = server(1408); VertexEmbeddings vertex = new VertexEmbeddings(settings(server, 1408, Optional.of(Secret.of("ya29.token-one")), Optional.empty()))) {
            float[] v = vertex.embedImage(StandIn.photo());

            assertEquals(1408, v.length);
            assertEquals(1408, vertex.dimension());
            assertEquals(0.5f, v[0], 1e-6);
            StandIn.Request r = server.requests().getFirst();
            assertEquals("POST", r.method());
            assertEquals("/v1/projects/loupe-test/locations/europe-west4/publishers/google/models/multimodalembedding@001:predict", r.path());
            assertEquals("Bearer ya29.token-one", r.header("Authorization"));
            JsonNode image = r.body().path("instances").path(0).path("image");
            assertEquals("image/jpeg", image.path("mimeType").asText());
            assertEquals(1024, StandIn.jpeg(image.path("bytesBase64Encoded").asText()).getWidth());
            assertFalse(r.body().path("instances").path(0).has("text"));
            assertEquals(1408, r.body().path("parameters").path("dimension").asInt());
        }
    }

    @Test
    void embedsTextAtALowerDimension() {
        try (StandIn server = server(256); VertexEmbeddings vertex = new VertexEmbeddings(settings(server, 256, Optional.of(Secret.of("ya29.t")), Optional.empty()))) {
            float[] v = vertex.embedText("a red kettle");

            assertEquals(256, v.length);
            assertEquals(-0.5f, v[0], 1e-6);
            StandIn.Request r = server.requests().getFirst();
            assertEquals("a red kettle", r.body().path("instances").path(0).path("text").asText());
            assertEquals(256, r.body().path("parameters").path("dimension").asInt());
        }
    }

    @Test
    void refusesAVectorOfAnotherDimension() {
        try (StandIn server = server(1408); VertexEmbeddings vertex = new VertexEmbeddings(settings(server, 512, Optional.of(Secret.of("ya29.t")), Optional.empty()))) {
            ProviderException e = assertThrows(ProviderException.class, () -> vertex.embedText("kettle"));
            assertTrue(e.getMessage().contains("512-d") && e.getMessage().contains("1408 values"), e.getMessage());
        }
    }

    @Test
    void readsTheTokenFileAgainForEveryRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "ya29.first\n");
        try (StandIn server = server(128); VertexEmbeddings vertex = new VertexEmbeddings(settings(server, 128, Optional.empty(), Optional.of(file)))) {
            vertex.embedText("one");
            Files.writeString(file, "ya29.second\n");
            float[] v = vertex.embedText("two");

            assertArrayEquals(new float[] {-0.5f, -0.499f}, new float[] {v[0], v[1]}, 1e-6f);
            assertEquals("Bearer ya29.first", server.requests().get(0).header("Authorization"));
            assertEquals("Bearer ya29.second", server.requests().get(1).header("Authorization"));
        }
    }

    @Test
    void sharesTheRetriesOfTheChatModels() {
        ObjectNode error = Json.object();
        error.putObject("error").put("code", 429).put("message", "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model").put("status", "RESOURCE_EXHAUSTED");
        ObjectNode ok = Json.object();
        ok.putArray("predictions").addObject().set("textEmbedding", vector(128, -0.5f));
        try (StandIn server = StandIn.scripted(Answer.json(429, error), Answer.ok(ok));
             VertexEmbeddings vertex = new VertexEmbeddings(settings(server, 128, Optional.of(Secret.of("ya29.t")), Optional.empty()))) {
            assertEquals(128, vertex.embedText("kettle").length);
            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void failsOnAnExpiredTokenWithoutQuotingIt() {
        ObjectNode error = Json.object();
        error.putObject("error").put("code", 401).put("message", "Request had invalid authentication credentials: ya29.stale").put("status", "UNAUTHENTICATED");
        try (StandIn server = StandIn.scripted(Answer.json(401, error));
             VertexEmbeddings vertex = new VertexEmbeddings(settings(server, 1408, Optional.of(Secret.of("ya29.stale")), Optional.empty()))) {
            ProviderException e = assertThrows(ProviderException.class, () -> vertex.embedText("kettle"));
            assertEquals(401, e.status());
            assertFalse(e.getMessage().contains("ya29.stale"), e.getMessage());
            assertEquals(1, server.requests().size());
        }
    }
}
