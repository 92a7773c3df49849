package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.provider.StandIn.Answer;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Gemini client against a stand-in of {@code models.generateContent} as the REST reference documents it. */
class GeminiGenerateTest {
    private static final String KEY = "AIzaSyD-test-key-0123456789";
    private static final GenerationConfig CONFIG = new GenerationConfig(0.4, 0.95, 512);

    private static VisionModel model(StandIn server) {
        return VisionModels.open(StandIn.settings(ProviderSettings.Kind.GEMINI, server.url(), "gemini-2.5-flash", KEY, StandIn.quick()));
    }

    private static Prompt prompt(ResponseShape shape) {
        return new Prompt("Describe the product in this photo.", List.of(StandIn.photo()), shape, CONFIG);
    }

    @Test
    void sendsTheDocumentedGenerateContentRequestWithTheImageInline() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.geminiResponse("A red kettle.", true, 1290, 6)));
             VisionModel model = model(server)) {
            Reply reply = model.generate(prompt(new ResponseShape.Text()));

            assertEquals("A red kettle.", reply.text(), "thought parts are not the answer");
            assertNull(reply.json());
            assertEquals(new Usage(1290, 6), reply.usage());
            StandIn.Request r = server.requests().getFirst();
            assertEquals("POST", r.method());
            assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", r.path());
            assertEquals(KEY, r.header("x-goog-api-key"));
            assertNull(r.rawQuery(), "the key is a header, never in the URL");
            JsonNode content = r.body().path("contents").path(0);
            assertEquals("user", content.path("role").asText());
            assertEquals("Describe the product in this photo.", content.path("parts").path(0).path("text").asText());
            JsonNode inline = content.path("parts").path(1).path("inlineData");
            assertEquals("image/jpeg", inline.path("mimeType").asText());
            BufferedImage sent = StandIn.jpeg(inline.path("data").asText());
            assertEquals(1024, Math.max(sent.getWidth(), sent.getHeight()));
            JsonNode generation = r.body().path("generationConfig");
            assertEquals(0.4, generation.path("temperature").asDouble());
            assertEquals(0.95, generation.path("topP").asDouble());
            assertEquals(512, generation.path("maxOutputTokens").asInt());
            assertFalse(generation.has("responseMimeType"));
            assertEquals("gemini gemini-2.5-flash at " + server.url(), model.describe());
        }
    }

    @Test
    void sendsTheSchemaAsResponseJsonSchemaWithTheJsonMimeType() {
        String answer = "{\"product_type\": \"kettle\", \"color\": \"red\", \"tags\": [{\"label\": \"kitchen\"}]}";
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.geminiResponse(answer, false, 1300, 25)));
             VisionModel model = model(server)) {
            Reply reply = model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema())));

            assertEquals("kitchen", reply.json().path("tags").path(0).path("label").asText());
            JsonNode generation = server.requests().getFirst().body().path("generationConfig");
            assertEquals("application/json", generation.path("responseMimeType").asText());
            assertEquals(StandIn.productSchema(), generation.path("responseJsonSchema"));
            assertFalse(generation.has("responseSchema"), "responseSchema and responseJsonSchema are exclusive");
        }
    }

    @Test
    void asksForJsonByMimeTypeAloneWhenTheFieldsAreDescribed() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.geminiResponse("{\"color\": \"red\"}", false, 10, 4)));
             VisionModel model = model(server)) {
            Reply reply = model.generate(prompt(new ResponseShape.Described("colour")));
            assertEquals("red", reply.json().path("color").asText());
            JsonNode generation = server.requests().getFirst().body().path("generationConfig");
            assertEquals("application/json", generation.path("responseMimeType").asText());
            assertFalse(generation.has("responseJsonSchema"));
        }
    }

    @Test
    void retriesWithTheModelsReplyAndTheErrorAsTurns() {
        String wrong = "{\"product_type\": \"kettle\", \"color\": \"red\"}";
        String right = "{\"product_type\": \"kettle\", \"color\": \"red\", \"tags\": []}";
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.geminiResponse(wrong, false, 1300, 20)), Answer.ok(StandIn.geminiResponse(right, false, 1340, 22)));
             VisionModel model = model(server)) {
            Reply reply = model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema())));

            assertEquals(new Usage(2640, 42), reply.usage());
            JsonNode contents = server.requests().get(1).body().path("contents");
            assertEquals("model", contents.path(1).path("role").asText());
            assertEquals(wrong, contents.path(1).path("parts").path(0).path("text").asText());
            String followUp = contents.path(2).path("parts").path(0).path("text").asText();
            assertTrue(followUp.contains("tags"), followUp);
        }
    }

    @Test
    void failsWhenTheReplyBreaksTheSchemaTwice() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.geminiResponse("{\"product_type\": 7}", false, 1, 1)));
             VisionModel model = model(server)) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema()))));
            assertTrue(e.getMessage().contains("rejected twice"), e.getMessage());
            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void failsAtOnceOnAnInvalidKeyWithoutTheKeyInTheMessage() {
        ObjectNode error = Json.object();
        error.putObject("error").put("code", 400).put("message", "API key not valid. Please pass a valid API key. (" + KEY + ")").put("status", "INVALID_ARGUMENT");
        try (StandIn server = StandIn.scripted(Answer.json(400, error));
             VisionModel model = model(server)) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertEquals(400, e.status());
            assertEquals(1, server.requests().size());
            assertTrue(e.getMessage().contains("API key not valid"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
        }
    }

    @Test
    void waitsTheRetryAfterOfAResourceExhausted429() {
        ObjectNode error = Json.object();
        error.putObject("error").put("code", 429).put("message", "Resource has been exhausted (e.g. check quota).").put("status", "RESOURCE_EXHAUSTED");
        try (StandIn server = StandIn.scripted(Answer.json(429, error).withHeader("Retry-After", "1"), Answer.ok(StandIn.geminiResponse("ok", false, 1, 1)));
             VisionModel model = model(server)) {
            assertEquals("ok", model.generate(prompt(new ResponseShape.Text())).text());
            List<StandIn.Request> seen = server.requests();
            assertTrue(seen.get(1).arrivedNanos() - seen.get(0).arrivedNanos() >= Duration.ofSeconds(1).toNanos());
        }
    }

    @Test
    void saysWhyWhenThePromptIsBlocked() {
        ObjectNode blocked = Json.object();
        blocked.putObject("promptFeedback").put("blockReason", "SAFETY");
        try (StandIn server = StandIn.scripted(Answer.ok(blocked));
             VisionModel model = model(server)) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertTrue(e.getMessage().contains("blocked: SAFETY"), e.getMessage());
        }
    }
}
