package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.VisionStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code multimodal_extractor} against a provider that misbehaves or is slow: a reply that
 * breaks the schema twice fails its object with the reason, a plain-language shape asks for
 * JSON and lands its fields, and a slow provider holds up only its own collection's objects.
 */
class MultimodalProvidersTest {
    /** Red pictures get a reply that breaks the schema every time; the others a valid one. */
    private static final String RED = "red";

    @TempDir
    static Path dir;
    private static VisionStandIn provider;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        provider = new VisionStandIn(MultimodalProvidersTest::answer);
        Path key = dir.resolve("key");
        Files.writeString(key, "sk-standin-key-0123456789");
        server = TestServer.withFlags(dir.resolve("data"), "--vlm-provider", "openai", "--vlm-url", provider.url(), "--vlm-model", "standin",
                "--vlm-api-key-file", key.toString(), "--vlm-concurrency", "1", "--vlm-max-attempts", "2");
        api = server.admin(null);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (provider != null) provider.close();
    }

    private static String answer(VisionStandIn.Asked asked) {
        String colour = VisionStandIn.dominantColour(asked.image());
        String format = asked.request().path("response_format").path("type").asText("text");
        if (format.equals("text")) return "A " + colour + " thing.";
        if (colour.equals(RED)) return "{\"colour\": 42}";
        return Json.write(Json.object().put("colour", colour));
    }

    private static String bucket(String name, String... colours) {
        String id = api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"" + name + "\", \"bucket_schema\": {}}").path("bucket_id").asText();
        int seed = 0;
        for (String colour : colours) {
            api.ok("POST", "/v1/buckets/" + id + "/objects", """
                    {"blobs": [{"property": "img", "type": "image", "data": "%s"}], "metadata": {"colour": "%s"}}"""
                    .formatted(Images.dataUri(Images.jpeg(Images.dominant(Images.BASIC.get(colour), 320, 240, seed++)), "image/jpeg"), colour));
        }
        return id;
    }

    private static JsonNode collection(String name, String bucket, String extractor, String parameters) {
        return api.ok("POST", "/v1/collections", """
                {"collection_name": "%s", "source": {"type": "bucket", "bucket_ids": ["%s"]},
                 "feature_extractor": {"feature_extractor_name": "%s", "version": "v1", "input_mappings": {"image": "img"}, "parameters": %s}}"""
                .formatted(name, bucket, extractor, parameters));
    }

    @Test
    void aReplyThatBreaksTheSchemaTwiceFailsItsObjectWithTheReason() {
        String bucket = bucket("strict", "red", "blue");
        JsonNode col = collection("strict-c", bucket, "multimodal_extractor", """
                {"response_shape": {"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]}}""");
        JsonNode task = api.awaitTask(col.path("task_id").asText(), Duration.ofMinutes(2));
        assertEquals("COMPLETED_WITH_ERRORS", task.path("status").asText(), task.toString());
        String reason = task.path("additional_data").path("failures").elements().next().asText();
        assertTrue(reason.contains("colour"), "names the field that broke the schema: " + reason);
        JsonNode docs = api.ok("POST", "/v1/collections/" + col.path("collection_id").asText() + "/documents/list", "{}").path("results");
        assertEquals(1, docs.size(), "the blue object's document only: " + docs);
        assertEquals("blue", docs.get(0).path("colour").asText());
        long retriesCarryingTheError = provider.requests().stream().filter(r -> Json.write(r).contains("42")).count();
        assertTrue(retriesCarryingTheError >= 1, "the retry quotes the invalid reply back to the model");
    }

    @Test
    void aPlainLanguageShapeAsksForJsonAndLandsItsFields() {
        String bucket = bucket("plain", "green");
        JsonNode col = collection("plain-c", bucket, "multimodal_extractor", "{\"response_shape\": \"the object's colour, as a field named colour\"}");
        assertEquals("COMPLETED", api.awaitTask(col.path("task_id").asText(), Duration.ofMinutes(2)).path("status").asText());
        JsonNode doc = api.ok("POST", "/v1/collections/" + col.path("collection_id").asText() + "/documents/list", "{}").path("results").get(0);
        assertEquals("green", doc.path("colour").asText(), doc.toString());
    }

    @Test
    void aSlowProviderHoldsUpOnlyItsOwnCollection() throws Exception {
        String slowBucket = bucket("slow", "yellow", "yellow", "yellow", "yellow");
        String fastBucket = bucket("fast", "purple", "purple", "purple", "purple");
        provider.delay(1500);
        try {
            JsonNode slow = collection("slow-c", slowBucket, "multimodal_extractor", "{\"run_video_description\": true}");
            JsonNode fast = collection("fast-c", fastBucket, "image_extractor", "{}");
            JsonNode fastTask = api.awaitTask(fast.path("task_id").asText(), Duration.ofMinutes(2));
            assertEquals("COMPLETED", fastTask.path("status").asText());
            JsonNode slowTask = api.ok("GET", "/v1/tasks/" + slow.path("task_id").asText(), null);
            assertTrue(slowTask.path("status").asText().matches("PENDING|PROCESSING"),
                    "four 1.5 s calls one at a time are still going when the other collection is done: " + slowTask);
            assertEquals("COMPLETED", api.awaitTask(slow.path("task_id").asText(), Duration.ofMinutes(2)).path("status").asText());
            assertEquals(1, provider.mostInFlight(), "--vlm-concurrency 1 is honoured");
        } finally {
            provider.delay(0);
        }
    }
}
