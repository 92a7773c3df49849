package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.provider.StandIn.Answer;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Ollama client against a stand-in of {@code /api/chat} as Ollama's API reference documents it. */
class OllamaChatTest {
    private static final GenerationConfig CONFIG = new GenerationConfig(0.1, 0.5, 200);

    private static VisionModel model(StandIn server, String key) {
        return VisionModels.open(StandIn.settings(ProviderSettings.Kind.OLLAMA, server.url(), "qwen2.5vl:7b", key, StandIn.quick()));
    }

    private static Prompt prompt(ResponseShape shape) {
        return new Prompt("Describe the product in this photo.", List.of(StandIn.photo()), shape, CONFIG);
    }

    @Test
    void sendsTheDocumentedChatRequestWithBareBase64Images() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.ollamaResponse("A red kettle.", 620, 7)));
             VisionModel model = model(server, null)) {
            Reply reply = model.generate(prompt(new ResponseShape.Text()));

            assertEquals("A red kettle.", reply.text());
            assertEquals(new Usage(620, 7), reply.usage());
            StandIn.Request r = server.requests().getFirst();
            assertEquals("POST", r.method());
            assertEquals("/api/chat", r.path());
            assertNull(r.header("Authorization"), "no key configured, none sent");
            JsonNode body = r.body();
            assertEquals("qwen2.5vl:7b", body.path("model").asText());
            assertFalse(body.path("stream").asBoolean(true), "stream must be false for one reply");
            JsonNode message = body.path("messages").path(0);
            assertEquals("user", message.path("role").asText());
            assertEquals("Describe the product in this photo.", message.path("content").asText());
            String image = message.path("images").path(0).asText();
            assertFalse(image.startsWith("data:"), "Ollama takes bare base64");
            BufferedImage sent = StandIn.jpeg(image);
            assertEquals(1024, sent.getWidth());
            assertFalse(body.has("format"));
            assertEquals(0.1, body.path("options").path("temperature").asDouble());
            assertEquals(0.5, body.path("options").path("top_p").asDouble());
            assertEquals(200, body.path("options").path("num_predict").asInt());
        }
    }

    @Test
    void sendsTheSchemaAsFormatAndAKeyAsBearerWhenOneIsSet() {
        String answer = "{\"product_type\": \"kettle\", \"color\": \"black\", \"tags\": []}";
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.ollamaResponse(answer, 700, 20)));
             VisionModel model = model(server, "proxy-token-42")) {
            Reply reply = model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema())));
            assertEquals("black", reply.json().path("color").asText());
            StandIn.Request r = server.requests().getFirst();
            assertEquals(StandIn.productSchema(), r.body().path("format"));
            assertEquals("Bearer proxy-token-42", r.header("Authorization"));
        }
    }

    @Test
    void sendsFormatJsonWhenTheFieldsAreDescribed() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.ollamaResponse("{\"color\": \"red\"}", 1, 1)));
             VisionModel model = model(server, null)) {
            model.generate(prompt(new ResponseShape.Described("colour")));
            assertEquals("json", server.requests().getFirst().body().path("format").asText());
        }
    }

    @Test
    void retriesOnceQuotingTheErrorThenFailsWithIt() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.ollamaResponse("[\"red\"]", 5, 2)));
             VisionModel model = model(server, null)) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Described("colour"))));
            assertTrue(e.getMessage().contains("not a JSON object"), e.getMessage());
            JsonNode messages = server.requests().get(1).body().path("messages");
            assertEquals("assistant", messages.path(1).path("role").asText());
            assertTrue(messages.path(2).path("content").asText().contains("not a JSON object"));
            assertFalse(messages.path(2).has("images"), "the images go once");
        }
    }

    @Test
    void failsAtOnceWhenTheModelIsNotPulled() {
        try (StandIn server = StandIn.scripted(Answer.json(404, Json.object().put("error", "model \"qwen2.5vl:7b\" not found, try pulling it first")));
             VisionModel model = model(server, null)) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("try pulling it first"), e.getMessage());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void failsAtOnceOnA401WithoutTheToken() {
        try (StandIn server = StandIn.scripted(Answer.json(401, Json.object().put("error", "unauthorized: bad token proxy-token-42")));
             VisionModel model = model(server, "proxy-token-42")) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertEquals(401, e.status());
            assertFalse(e.getMessage().contains("proxy-token-42"), e.getMessage());
        }
    }

    @Test
    void retriesAServerErrorOnThisProtocolToo() {
        try (StandIn server = StandIn.scripted(Answer.json(500, Json.object().put("error", "llama runner process has terminated")), Answer.ok(StandIn.ollamaResponse("ok", 1, 1)));
             VisionModel model = model(server, null)) {
            assertEquals(2, model.generate(prompt(new ResponseShape.Text())).attempts());
        }
    }
}
