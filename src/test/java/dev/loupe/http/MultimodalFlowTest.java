package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.VisionStandIn;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code multimodal_extractor} through the API, with the seed's {@code product-catalog-enriched}
 * collection sent verbatim: real OCR of the words printed on each product, a description and
 * the {@code response_shape} fields from a provider stand-in that answers from the picture it
 * was sent, and the cross-modal embedding of the fixture colour encoder, which also embeds a
 * text object of the same bucket into the same index.
 */
class MultimodalFlowTest {
    /** The words printed on each product's label, and what the stand-in says each is made of. */
    static final Map<String, String> PRINTED = Map.of("red", "ACME LEATHER", "blue", "WATERPROOF TOTE",
            "green", "GARDEN SHOPPER", "yellow", "SUNNY CANVAS");
    private static final String API_KEY = "sk-test-not-a-real-key-0123456789";

    @TempDir
    static Path dir;
    private static VisionStandIn provider;
    private static TestServer server;
    private static Api api;
    private static String bucketId;
    private static String collectionId;
    private static final Map<String, String> objectOfColour = new HashMap<>();
    private static String textObject;
    private static JsonNode task;

    @BeforeAll
    static void ingest() throws Exception {
        provider = new VisionStandIn(MultimodalFlowTest::answer);
        Path keyFile = dir.resolve("vlm.key");
        Files.writeString(keyFile, API_KEY + "\n");
        server = TestServer.withFlags(dir.resolve("data"), "--vlm-provider", "openai", "--vlm-url", provider.url(),
                "--vlm-model", "gpt-4o-mini", "--vlm-api-key-file", keyFile.toString());
        api = server.admin(null);
        bucketId = api.ok("POST", "/v1/buckets", """
                {"bucket_name": "catalog", "bucket_schema": {"properties": {"image": {"type": "image"}, "caption": {"type": "text"},
                  "product_id": {"type": "string"}}}}""").path("bucket_id").asText();
        int i = 0;
        for (var e : PRINTED.entrySet()) {
            String image = Images.dataUri(Images.jpeg(labelled(e.getKey(), e.getValue(), i)), "image/jpeg");
            objectOfColour.put(e.getKey(), api.ok("POST", "/v1/buckets/" + bucketId + "/objects", """
                    {"blobs": [{"property": "image", "type": "image", "data": "%s"}], "metadata": {"product_id": "P-%03d"}}"""
                    .formatted(image, i++)).path("object_id").asText());
        }
        textObject = api.ok("POST", "/v1/buckets/" + bucketId + "/objects", """
                {"blobs": [{"property": "caption", "type": "text", "data": "purple"}], "metadata": {"product_id": "P-100"}}""")
                .path("object_id").asText();
        JsonNode collection = api.ok("POST", "/v1/collections", seedCollection(bucketId));
        OpenApi.assertConforms("CollectionResponse", collection);
        collectionId = collection.path("collection_id").asText();
        task = api.awaitTask(collection.path("task_id").asText(), Duration.ofMinutes(3));
        assertEquals("COMPLETED", task.path("status").asText(), task.toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (provider != null) provider.close();
    }

    /** The seed's enriched product collection, as an application written for Mixpeek sends it (ids changed). */
    static String seedCollection(String bucket) {
        return """
                {"collection_name": "product-catalog-enriched",
                 "description": "Products with OCR text, descriptions and structured attributes",
                 "source": {"type": "bucket", "bucket_ids": ["%s"]},
                 "feature_extractor": {
                   "feature_extractor_name": "multimodal_extractor", "version": "v1",
                   "input_mappings": {"image": "payload.image", "text": "payload.caption"},
                   "field_passthrough": [{"source_path": "metadata.product_id"}],
                   "parameters": {
                     "run_multimodal_embedding": true,
                     "run_ocr": true,
                     "run_video_description": true,
                     "description_prompt": "Describe this product for a catalog: what it is, its colour and material, and any visible branding.",
                     "response_shape": {
                       "type": "object",
                       "properties": {
                         "product_type": {"type": "string", "description": "what kind of product it is"},
                         "color": {"type": "string"},
                         "material": {"type": "string"},
                         "brand_visible": {"type": "boolean"},
                         "text_on_product": {"type": "string"}
                       },
                       "required": ["product_type", "color", "material", "brand_visible", "text_on_product"]
                     }
                   }
                 }}""".formatted(bucket);
    }

    /** A product photo: a bag of one colour, with a white label printed with {@code words}. */
    static BufferedImage labelled(String colour, String words, long seed) {
        BufferedImage img = Images.dominant(Images.BASIC.get(colour), 800, 600, seed);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(60, 440, 520, 90);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 44));
        g.drawString(words, 80, 502);
        g.dispose();
        return img;
    }

    /** The stand-in model: it sees the bag's colour in the picture and answers the schema it was given. */
    static String answer(VisionStandIn.Asked asked) {
        String colour = VisionStandIn.dominantColour(asked.image());
        String material = colour.equals("red") ? "leather" : "canvas";
        String description = "A " + colour + " " + material + " bag with a printed label.";
        JsonNode schema = asked.request().path("response_format").path("json_schema").path("schema");
        if (schema.isMissingNode()) return description;
        ObjectNode out = Json.object();
        for (var it = schema.path("properties").fieldNames(); it.hasNext(); ) {
            String field = it.next();
            switch (field) {
                case "product_type" -> out.put(field, "bag");
                case "color" -> out.put(field, colour);
                case "material" -> out.put(field, material);
                case "brand_visible" -> out.put(field, PRINTED.getOrDefault(colour, "").startsWith("ACME"));
                case "text_on_product" -> out.put(field, PRINTED.getOrDefault(colour, ""));
                case "description" -> out.put(field, description);
                default -> out.putNull(field);
            }
        }
        return Json.write(out);
    }

    private static List<JsonNode> documents() {
        JsonNode page = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list?limit=100", "{\"return_vectors\": true}");
        List<JsonNode> out = new ArrayList<>();
        page.path("results").forEach(out::add);
        return out;
    }

    private static JsonNode documentOf(String objectId) {
        return documents().stream().filter(d -> d.path("root_object_id").asText().equals(objectId)).findFirst().orElseThrow();
    }

    @Test
    void theSeedsCollectionYieldsDocumentsShapedLikeItsOutput() {
        for (var e : PRINTED.entrySet()) {
            JsonNode d = documentOf(objectOfColour.get(e.getKey()));
            assertEquals(e.getValue(), d.path("ocr_text").asText(), "the words printed on the label, read by OCR: " + d.path("ocr_lines"));
            assertEquals(e.getKey(), d.path("color").asText(), "the provider saw the picture Loupe sent: " + d);
            assertEquals("bag", d.path("product_type").asText());
            assertEquals(e.getKey().equals("red") ? "leather" : "canvas", d.path("material").asText());
            assertEquals(e.getValue().startsWith("ACME"), d.path("brand_visible").asBoolean());
            assertTrue(d.path("brand_visible").isBoolean(), "typed as the schema says");
            assertEquals(e.getValue(), d.path("text_on_product").asText());
            assertTrue(d.path("description").asText().startsWith("A " + e.getKey()), d.path("description").toString());
            assertEquals(768, d.path("multimodal_extractor_v1_multimodal_embedding").size(), "the fixture encoder's dimension");
            assertTrue(d.path("thumbnail_url").asText().contains("/thumbnails/"), d.toString());
            JsonNode line = d.path("ocr_lines").get(0);
            assertTrue(line.path("confidence").asDouble() > 0.5, line.toString());
            assertEquals(4, line.path("box").size());
            double x = line.path("box").get(0).get(0).asDouble(), y = line.path("box").get(0).get(1).asDouble();
            assertTrue(x > 40 && x < 120 && y > 430 && y < 500, "the label's top-left corner in source pixels: " + line.path("box"));
            assertTrue(d.path("provider_usage").path("input_tokens").asLong() > 0, d.path("provider_usage").toString());
            assertEquals(String.format("P-%03d", List.copyOf(PRINTED.keySet()).indexOf(e.getKey())), d.path("product_id").asText(), "passthrough");
        }
    }

    @Test
    void oneProviderCallPerImageCarriesThePromptTheImageAndTheStrictSchema() {
        List<JsonNode> requests = provider.requests();
        assertEquals(PRINTED.size(), requests.size(), "one call per image, none for the text object");
        for (JsonNode r : requests) {
            assertEquals("gpt-4o-mini", r.path("model").asText());
            JsonNode schema = r.path("response_format").path("json_schema").path("schema");
            Set<String> required = new HashSet<>();
            schema.path("required").forEach(n -> required.add(n.asText()));
            assertEquals(Set.of("product_type", "color", "material", "brand_visible", "text_on_product", "description"), required,
                    "the shape, plus the description asked for with it: " + schema);
            assertTrue(Json.write(r).contains("Describe this product for a catalog"), "the collection's description prompt");
        }
    }

    @Test
    void tokenUsageIsRecordedPerDocumentAndSummedPerTask() {
        long input = 0, output = 0;
        for (JsonNode d : documents()) {
            input += d.path("provider_usage").path("input_tokens").asLong();
            output += d.path("provider_usage").path("output_tokens").asLong();
        }
        assertTrue(input > 0 && output > 0);
        JsonNode usage = task.path("additional_data").path("provider_usage");
        assertEquals(input, usage.path("input_tokens").asLong(), task.toString());
        assertEquals(output, usage.path("output_tokens").asLong(), task.toString());
    }

    @Test
    void theOutputSchemaDeclaresTheShapesFieldsWithTheirTypes() {
        JsonNode props = api.ok("GET", "/v1/collections/" + collectionId, null).path("output_schema").path("properties");
        assertEquals("boolean", props.path("brand_visible").path("type").asText(), props.toString());
        assertEquals("string", props.path("color").path("type").asText());
        for (String f : List.of("ocr_text", "description", "multimodal_extractor_v1_multimodal_embedding", "thumbnail_url")) {
            assertTrue(props.has(f), f + " in " + props);
        }
    }

    @Test
    void aTextObjectIsEmbeddedIntoTheSameIndexAndFoundWithTheImages() {
        JsonNode d = documentOf(textObject);
        assertEquals("purple", d.path("text").asText());
        assertFalse(d.has("ocr_text"), "no OCR for a text");
        JsonNode r = execute("""
                {"searches": [{"feature_uri": "mixpeek://multimodal_extractor@v1/multimodal_embedding", "query": "purple", "top_k": 5}]}""");
        assertEquals(textObject, r.path("documents").get(0).path("root_object_id").asText(), "the text tower embeds 'purple' next to the text 'purple'");
        JsonNode red = execute("""
                {"searches": [{"feature_uri": "mixpeek://multimodal_extractor@v1/multimodal_embedding", "query": "red", "top_k": 5}]}""");
        assertEquals(objectOfColour.get("red"), red.path("documents").get(0).path("root_object_id").asText(), "a text query finds the red image");
    }

    @Test
    void aRetrieverFusesTheEmbeddingWithBm25OverOcrTextAndDescription() {
        String retriever = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "catalog-hybrid", "collection_ids": ["%s"],
                 "input_schema": {"properties": {"q": {"type": "text", "required": true}}},
                 "stages": [{"stage_name": "hybrid", "stage_type": "filter", "config": {"stage_id": "feature_search", "parameters": {
                    "searches": [{"feature_uri": "mixpeek://multimodal_extractor@v1/multimodal_embedding", "query": "{{INPUT.q}}", "top_k": 10},
                                 {"search_type": "lexical", "fields": ["ocr_text", "description"], "query": "{{INPUT.q}}", "top_k": 10}],
                    "fusion": "rrf", "final_top_k": 3}}}]}""".formatted(collectionId)).path("retriever").path("retriever_id").asText();
        JsonNode waterproof = api.ok("POST", "/v1/retrievers/" + retriever + "/execute", "{\"inputs\": {\"q\": \"waterproof\"}}");
        assertEquals(objectOfColour.get("blue"), waterproof.path("documents").get(0).path("root_object_id").asText(),
                "only the blue bag's label says WATERPROOF: " + waterproof.path("documents"));
        JsonNode leather = api.ok("POST", "/v1/retrievers/" + retriever + "/execute", "{\"inputs\": {\"q\": \"leather\"}}");
        assertEquals(objectOfColour.get("red"), leather.path("documents").get(0).path("root_object_id").asText(),
                "the red bag's description and label say leather");
    }

    @Test
    void theShapesFieldsAreFilterableAndSortable() {
        JsonNode canvas = execute("""
                {"searches": [{"feature_uri": "mixpeek://multimodal_extractor@v1/multimodal_embedding", "query": "bag", "top_k": 10}],
                 "pre_filters": {"material": "canvas"}}""");
        Set<String> colours = new HashSet<>();
        canvas.path("documents").forEach(d -> colours.add(d.path("color").asText()));
        assertEquals(Set.of("blue", "green", "yellow"), colours);
        JsonNode branded = execute("""
                {"searches": [{"feature_uri": "mixpeek://multimodal_extractor@v1/multimodal_embedding", "query": "bag", "top_k": 10}],
                 "pre_filters": {"brand_visible": true}}""");
        assertEquals(1, branded.path("documents").size(), branded.toString());
        assertEquals("red", branded.path("documents").get(0).path("color").asText());
        JsonNode sorted = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list?limit=100", """
                {"filters": {"product_type": "bag"}, "sort": {"field": "color", "direction": "asc"}}""");
        List<String> order = new ArrayList<>();
        sorted.path("results").forEach(d -> order.add(d.path("color").asText()));
        assertEquals(List.of("blue", "green", "red", "yellow"), order, "sorted by a response_shape field");
    }

    private static JsonNode execute(String parameters) {
        return api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "limit": 100, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": %s}}]}""".formatted(collectionId, parameters));
    }
}
