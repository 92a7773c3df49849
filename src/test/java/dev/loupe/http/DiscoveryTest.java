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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints a Mixpeek client calls first: health, the extractor catalogue, and collection creation's checks. */
class DiscoveryTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"pics\", \"bucket_schema\": {\"properties\": {\"photo\": {\"type\": \"image\"}, \"caption\": {\"type\": \"string\"}}}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthAnswersWithoutAKeyInMixpeeksShape() {
        Api.Response r = new Api(server.base(), null, null).get("/v1/health");
        assertEquals(200, r.status(), r.raw());
        OpenApi.assertConforms("HealthCheckResponse", r.body());
        assertEquals("OK", r.text("status"), r.raw());
        for (String service : new String[] {"metadata", "vector_store", "object_storage", "task_queue", "inference"}) {
            assertTrue(r.body().path("data").path(service).asBoolean(), service + " healthy: " + r.raw());
        }
    }

    @Test
    void theExtractorCatalogueDescribesImageFaceAndMultimodalExtractors() {
        JsonNode all = api.ok("GET", "/v1/collections/features/extractors", null);
        assertEquals(3, all.size());
        JsonNode image = all.get(0);
        OpenApi.assertConforms("FeatureExtractorResponseModel", image);
        assertEquals("image_extractor_v1", image.path("feature_extractor_id").asText());
        assertTrue(image.path("output_schema").path("properties").has("image_extractor_v1_embedding"), image.toString());
        assertEquals(true, image.path("default_parameters").path("enable_thumbnails").asBoolean());
        assertEquals("mixpeek://image_extractor@v1/embedding", image.path("required_vector_indexes").get(0).path("feature_uri").asText());
        assertEquals(image, api.ok("GET", "/v1/collections/features/extractors/image_extractor_v1", null));
        JsonNode face = all.get(1);
        OpenApi.assertConforms("FeatureExtractorResponseModel", face);
        assertEquals("face_identity_extractor_v1", face.path("feature_extractor_id").asText());
        assertEquals("scrfd_2.5g", face.path("default_parameters").path("detection_model").asText());
        assertEquals("per_face", face.path("default_parameters").path("output_mode").asText());
        assertEquals(512, face.path("required_vector_indexes").get(0).path("index").path("dimensions").asInt(), face.toString());
        assertEquals("mixpeek://face_identity_extractor@v1/embedding", face.path("required_vector_indexes").get(0).path("feature_uri").asText());
        assertEquals(face, api.ok("GET", "/v1/collections/features/extractors/face_identity_extractor_v1", null), "described without loading a face model");
        JsonNode multimodal = all.get(2);
        OpenApi.assertConforms("FeatureExtractorResponseModel", multimodal);
        assertEquals("multimodal_extractor_v1", multimodal.path("feature_extractor_id").asText());
        assertEquals(true, multimodal.path("default_parameters").path("run_multimodal_embedding").asBoolean(), multimodal.toString());
        assertEquals(false, multimodal.path("default_parameters").path("run_ocr").asBoolean());
        assertEquals("mixpeek://multimodal_extractor@v1/multimodal_embedding",
                multimodal.path("required_vector_indexes").get(0).path("feature_uri").asText());
        assertTrue(multimodal.path("output_schema").path("properties").has("ocr_text"), multimodal.toString());
        Api.Response missing = api.get("/v1/collections/features/extractors/text_extractor_v1");
        assertEquals(404, missing.status());
        assertTrue(missing.raw().contains("image_extractor_v1"), "lists what is available: " + missing.raw());
    }

    @Test
    void anUnknownExtractorIsA422ListingTheAvailableOnes() {
        Api.Response r = api.post("/v1/collections", """
                {"collection_name": "x", "source": {"type": "bucket", "bucket_ids": ["pics"]},
                 "feature_extractor": {"feature_extractor_name": "text_extractor", "version": "v1", "input_mappings": {"text": "caption"}}}""");
        assertEquals(422, r.status(), r.raw());
        assertTrue(r.raw().contains("image_extractor"), r.raw());
        assertEquals("feature_extractor.feature_extractor_name", r.body().path("error").path("details").path("field").asText());
    }

    @Test
    void aMappingToAFieldTheBucketLacksIsRefusedAtCreation() {
        Api.Response r = api.post("/v1/collections", """
                {"collection_name": "y", "source": {"type": "bucket", "bucket_ids": ["pics"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "payload.image_url"}}}""");
        assertEquals(422, r.status(), r.raw());
        assertTrue(r.raw().contains("image_url") && r.raw().contains("photo"), "names the field and the bucket's fields: " + r.raw());
        assertEquals(404, api.get("/v1/collections/y").status(), "nothing was created");
    }

    @Test
    void inputMappingsInTheOpenApiListFormWork() {
        String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get("yellow"), 32, 32, 2)), "image/png");
        api.ok("POST", "/v1/buckets/pics/objects", "{\"blobs\": [{\"property\": \"photo\", \"type\": \"image\", \"data\": \"" + image + "\"}]}");
        JsonNode c = api.ok("POST", "/v1/collections", """
                {"collection_name": "listed", "source": {"type": "bucket", "bucket_ids": ["pics"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": [{"input_key": "image", "source_type": "payload", "path": "photo"}]}}""");
        assertEquals("photo", c.path("feature_extractor").path("input_mappings").path("image").asText(), c.toString());
        assertEquals("COMPLETED", api.awaitTask(c.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText());
        assertEquals(1, api.ok("GET", "/v1/collections/listed", null).path("document_count").asInt());
        Api.Response literal = api.post("/v1/collections", """
                {"collection_name": "lit", "source": {"type": "bucket", "bucket_ids": ["pics"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": [{"input_key": "image", "source_type": "literal", "override": "x"}]}}""");
        assertEquals(422, literal.status(), literal.raw());
        assertEquals("feature_extractor.input_mappings[0].source_type", literal.body().path("error").path("details").path("field").asText());
    }

}
