package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code multimodal_extractor}'s parameters on a Loupe with no provider configured: what needs
 * one is refused at creation with the setting to set, everything else works, and every flag
 * combination gives the fields it asks for and no others.
 */
class MultimodalParametersTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(dir);
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
        api.ok("POST", "/v1/buckets/b/objects", """
                {"blobs": [{"property": "img", "type": "image", "data": "%s"}]}"""
                .formatted(Images.dataUri(Images.jpeg(MultimodalFlowTest.labelled("green", "OPEN DAILY", 3)), "image/jpeg")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Api.Response create(String name, String mappings, String parameters) {
        return api.post("/v1/collections", """
                {"collection_name": "%s", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "multimodal_extractor", "version": "v1",
                   "input_mappings": %s, "parameters": %s}}""".formatted(name, mappings, parameters));
    }

    private static JsonNode onlyDocument(String name, String parameters) {
        Api.Response r = create(name, "{\"image\": \"img\"}", parameters);
        assertEquals(200, r.status(), r.raw());
        JsonNode task = api.awaitTask(r.text("task_id"), Duration.ofMinutes(2));
        assertEquals("COMPLETED", task.path("status").asText(), task.toString());
        JsonNode page = api.ok("POST", "/v1/collections/" + r.text("collection_id") + "/documents/list", "{\"return_vectors\": true}");
        assertEquals(1, page.path("results").size(), page.toString());
        return page.path("results").get(0);
    }

    @Test
    void descriptionsWithoutAProviderAreRefusedNamingTheSetting() {
        Api.Response described = create("described", "{\"image\": \"img\"}", "{\"run_video_description\": true}");
        assertEquals(422, described.status(), described.raw());
        assertTrue(described.raw().contains("--vlm-provider"), described.raw());
        assertEquals("feature_extractor.parameters.run_video_description", described.body().path("error").path("details").path("field").asText());
        Api.Response shaped = create("shaped", "{\"image\": \"img\"}", "{\"response_shape\": \"the product's colour and brand\"}");
        assertEquals(422, shaped.status(), shaped.raw());
        assertEquals("feature_extractor.parameters.response_shape", shaped.body().path("error").path("details").path("field").asText());
    }

    @Test
    void badParametersAreRefusedNamingTheField() {
        record Case(String mappings, String parameters, String field) {
        }
        for (Case c : new Case[]{
                new Case("{\"image\": \"img\"}", "{\"run_ocr\": \"yes\"}", "feature_extractor.parameters.run_ocr"),
                new Case("{\"image\": \"img\"}", "{\"detection_model\": \"scrfd_500m\"}", "feature_extractor.parameters.detection_model"),
                new Case("{\"image\": \"img\"}", "{\"description_prompt\": \"  \"}", "feature_extractor.parameters.description_prompt"),
                new Case("{\"image\": \"img\"}", "{\"generation_config\": {\"temperature\": 9}}", "feature_extractor.parameters.generation_config.temperature"),
                new Case("{\"image\": \"img\"}", "{\"response_shape\": {\"properties\": {\"ocr_text\": {\"type\": \"string\"}}}}",
                        "feature_extractor.parameters.response_shape.properties.ocr_text"),
                new Case("{\"image\": \"img\"}", "{\"response_shape\": {\"type\": \"array\", \"items\": {}}}", "feature_extractor.parameters.response_shape.type"),
                new Case("{\"image\": \"img\"}", "{\"response_shape\": 42}", "feature_extractor.parameters.response_shape"),
                new Case("{\"video\": \"img\"}", "{}", "feature_extractor.input_mappings.video"),
                new Case("{}", "{}", "feature_extractor.input_mappings.image")}) {
            Api.Response r = create("bad", c.mappings(), c.parameters());
            assertEquals(422, r.status(), c + " → " + r.raw());
            assertEquals(c.field(), r.body().path("error").path("details").path("field").asText(), c + " → " + r.raw());
        }
    }

    @Test
    void videoParametersAreAcceptedAndDoNotApplyToImages() {
        JsonNode d = onlyDocument("video-params", """
                {"split_method": "scene", "scene_detection_threshold": 0.4, "run_transcription": true, "transcription_language": "fr"}""");
        assertTrue(d.has("multimodal_extractor_v1_multimodal_embedding"), d.toString());
    }

    @Test
    void ocrAloneWritesTheTextAndNoEmbedding() {
        JsonNode d = onlyDocument("ocr-only", "{\"run_ocr\": true, \"run_multimodal_embedding\": false, \"enable_thumbnails\": false}");
        assertEquals("OPEN DAILY", d.path("ocr_text").asText(), d.toString());
        assertFalse(d.has("multimodal_extractor_v1_multimodal_embedding"), d.toString());
        assertFalse(d.has("thumbnail_url"), d.toString());
        assertFalse(d.has("description"), d.toString());
    }

    @Test
    void theDefaultsEmbedAndThumbnailWithoutOcr() {
        JsonNode d = onlyDocument("defaults", "{}");
        assertEquals(768, d.path("multimodal_extractor_v1_multimodal_embedding").size(), d.toString());
        assertTrue(d.path("thumbnail_url").asText().contains("/thumbnails/"), d.toString());
        assertFalse(d.has("ocr_text"), "run_ocr defaults to false: " + d);
    }
}
