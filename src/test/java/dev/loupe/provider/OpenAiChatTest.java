package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.provider.StandIn.Answer;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible client against a stand-in that checks requests as OpenAI's chat
 * completions reference documents them and answers in its response shape; the transport's
 * retries, timeouts and concurrency bound are proven here too.
 */
class OpenAiChatTest {
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final GenerationConfig CONFIG = new GenerationConfig(0.2, 0.9, 300);

    private static VisionModel model(StandIn server, CallPolicy calls) {
        return VisionModels.open(StandIn.settings(ProviderSettings.Kind.OPENAI, server.url().resolve("/v1"), "gpt-4o-mini", KEY, calls));
    }

    private static Prompt prompt(ResponseShape shape) {
        return new Prompt("Describe the product in this photo.", List.of(StandIn.photo()), shape, CONFIG);
    }

    @Test
    void sendsTheDocumentedChatCompletionRequestWithTheImageInlineAndReadsTheReply() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("A red kettle on a table.", 812, 9)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Text()));

            assertEquals("A red kettle on a table.", reply.text());
            assertNull(reply.json());
            assertEquals(new Usage(812, 9), reply.usage());
            assertEquals(1, reply.attempts());
            StandIn.Request r = server.requests().getFirst();
            assertEquals("POST", r.method());
            assertEquals("/v1/chat/completions", r.path());
            assertEquals("Bearer " + KEY, r.header("Authorization"));
            assertTrue(r.header("Content-Type").startsWith("application/json"));
            JsonNode body = r.body();
            assertEquals("gpt-4o-mini", body.path("model").asText());
            JsonNode content = body.path("messages").path(0).path("content");
            assertEquals("user", body.path("messages").path(0).path("role").asText());
            assertEquals("text", content.path(0).path("type").asText());
            assertEquals("Describe the product in this photo.", content.path(0).path("text").asText());
            assertEquals("image_url", content.path(1).path("type").asText());
            String url = content.path(1).path("image_url").path("url").asText();
            assertTrue(url.startsWith("data:image/jpeg;base64,"), url.substring(0, 30));
            BufferedImage sent = StandIn.jpeg(url.substring("data:image/jpeg;base64,".length()));
            assertEquals(1024, sent.getWidth());
            assertEquals(512, sent.getHeight());
            assertEquals(0.2, body.path("temperature").asDouble());
            assertEquals(0.9, body.path("top_p").asDouble());
            // Not OpenAI's own host: the older name every compatible server knows.
            assertEquals(300, body.path("max_tokens").asInt());
            assertFalse(body.has("max_completion_tokens"));
            assertFalse(body.has("response_format"));
        }
    }

    @Test
    void sendsMaxCompletionTokensToOpenAisOwnApi() {
        ProviderSettings settings = StandIn.settings(ProviderSettings.Kind.OPENAI, java.net.URI.create("https://api.openai.com/v1"), "gpt-4o-mini", KEY, StandIn.quick());
        try (OpenAiChat model = (OpenAiChat) VisionModels.open(settings)) {
            ObjectNode body = model.dialect().request(List.of(new Conversation.Turn.User("hi", List.of())), new ResponseShape.Text(), CONFIG);
            assertEquals(300, body.path("max_completion_tokens").asInt());
            assertFalse(body.has("max_tokens"));
            assertEquals("openai-compatible gpt-4o-mini at https://api.openai.com/v1", model.describe());
        }
    }

    @Test
    void sendsTheSchemaInStrictModeAndReadsANullAsAnAbsentOptionalField() {
        String answer = "{\"product_type\": \"kettle\", \"color\": \"red\", \"brand\": null, \"tags\": [{\"label\": \"kitchen\"}]}";
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion(answer, 900, 30)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema())));

            assertEquals("kettle", reply.json().path("product_type").asText());
            assertFalse(reply.json().has("brand"), "a null for an optional field means absent");
            JsonNode format = server.requests().getFirst().body().path("response_format");
            assertEquals("json_schema", format.path("type").asText());
            assertTrue(format.path("json_schema").path("strict").asBoolean());
            assertEquals("response", format.path("json_schema").path("name").asText());
            JsonNode schema = format.path("json_schema").path("schema");
            assertFalse(schema.path("additionalProperties").asBoolean(true));
            assertEquals(Json.read("[\"product_type\",\"color\",\"brand\",\"tags\"]"), schema.path("required"));
            assertEquals(Json.read("[\"string\",\"null\"]"), schema.path("properties").path("brand").path("type"));
            assertFalse(schema.path("properties").path("brand").has("maxLength"), "strict mode has no maxLength; it is checked locally");
            assertFalse(schema.path("properties").path("tags").path("items").path("additionalProperties").asBoolean(true));
        }
    }

    @Test
    void asksForAJsonObjectWhenTheFieldsAreDescribedInWords() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("{\"product_type\": \"kettle\", \"color\": \"red\"}", 10, 5)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Described("product type and colour")));

            assertEquals("red", reply.json().path("color").asText());
            JsonNode body = server.requests().getFirst().body();
            assertEquals("json_object", body.path("response_format").path("type").asText());
            String text = body.path("messages").path(0).path("content").path(0).path("text").asText();
            assertTrue(text.contains("JSON"), "json_object mode needs the word JSON in the prompt");
            assertTrue(text.contains("product type and colour"));
        }
    }

    @Test
    void retriesOnceWithTheViolationQuotedAndSumsTheUsage() {
        String wrong = "{\"product_type\": \"kettle\", \"color\": \"crimson\", \"tags\": []}";
        String right = "{\"product_type\": \"kettle\", \"color\": \"red\", \"tags\": []}";
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion(wrong, 900, 20)), Answer.ok(StandIn.openAiCompletion(right, 950, 21)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema())));

            assertEquals("red", reply.json().path("color").asText());
            assertEquals(new Usage(1850, 41), reply.usage());
            assertEquals(2, reply.attempts());
            JsonNode messages = server.requests().get(1).body().path("messages");
            assertEquals(3, messages.size());
            assertEquals("assistant", messages.path(1).path("role").asText());
            assertEquals(wrong, messages.path(1).path("content").asText());
            assertEquals("user", messages.path(2).path("role").asText());
            String followUp = messages.path(2).path("content").asText();
            assertTrue(followUp.contains("$.color") && followUp.contains("enum"), followUp);
        }
    }

    @Test
    void failsWithTheReasonWhenTheReplyBreaksTheSchemaTwice() {
        String wrong = "{\"product_type\": \"kettle\", \"color\": \"crimson\", \"tags\": []}";
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion(wrong, 900, 20)));
             VisionModel model = model(server, StandIn.quick())) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Schema(StandIn.productSchema()))));

            assertTrue(e.getMessage().contains("rejected twice") && e.getMessage().contains("$.color"), e.getMessage());
            assertFalse(e.transientFailure());
            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void retriesAReplyThatIsNotJsonAndAcceptsOneInACodeFence() {
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("Sure! The kettle is red.", 5, 5)),
                Answer.ok(StandIn.openAiCompletion("```json\n{\"color\": \"red\"}\n```", 5, 5)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Described("colour")));

            assertEquals("red", reply.json().path("color").asText());
            String followUp = server.requests().get(1).body().path("messages").path(2).path("content").asText();
            assertTrue(followUp.contains("not valid JSON"), followUp);
        }
    }

    @Test
    void failsAtOnceOnA401WithTheProvidersMessageAndNoKey() {
        ObjectNode error = Json.object();
        error.putObject("error").put("message", "Incorrect API key provided: " + KEY + ". You can find your API key at ...")
                .put("type", "invalid_request_error").put("code", "invalid_api_key");
        try (StandIn server = StandIn.scripted(Answer.json(401, error));
             VisionModel model = model(server, StandIn.quick())) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));

            assertEquals(401, e.status());
            assertEquals(1, server.requests().size(), "a 401 is not retried");
            assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
            assertFalse(e.getMessage().contains(KEY.substring(0, 12)), e.getMessage());
            assertFalse(e.transientFailure());
        }
    }

    @Test
    void waitsTheRetryAfterOfA429BeforeTheNextAttempt() {
        ObjectNode error = Json.object();
        error.putObject("error").put("message", "Rate limit reached").put("type", "requests");
        try (StandIn server = StandIn.scripted(Answer.json(429, error).withHeader("Retry-After", "1"), Answer.ok(StandIn.openAiCompletion("ok", 1, 1)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Text()));

            assertEquals(2, reply.attempts());
            List<StandIn.Request> seen = server.requests();
            long gap = seen.get(1).arrivedNanos() - seen.get(0).arrivedNanos();
            // The backoff alone would have waited at most 100 ms; the second call came after the asked-for second.
            assertTrue(gap >= Duration.ofSeconds(1).toNanos(), "second attempt " + gap / 1_000_000 + " ms after the first");
        }
    }

    @Test
    void retriesAServerError() {
        try (StandIn server = StandIn.scripted(Answer.raw(500, "text/plain", "upstream exploded"), Answer.ok(StandIn.openAiCompletion("fine", 3, 1)));
             VisionModel model = model(server, StandIn.quick())) {
            Reply reply = model.generate(prompt(new ResponseShape.Text()));
            assertEquals("fine", reply.text());
            assertEquals(2, reply.attempts());
        }
    }

    @Test
    void givesUpAfterTheAttemptsAllowedAndSaysItMayPassLater() {
        try (StandIn server = StandIn.scripted(Answer.raw(503, "text/plain", "overloaded"));
             VisionModel model = model(server, StandIn.quick())) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertEquals(3, server.requests().size());
            assertEquals(503, e.status());
            assertTrue(e.transientFailure());
            assertTrue(e.getMessage().contains("gave up after 3 attempts") && e.getMessage().contains("overloaded"), e.getMessage());
        }
    }

    @Test
    void abandonsAReplyThatOutlastsTheTimeoutAndTriesAgain() {
        CallPolicy calls = StandIn.quick().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(400));
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("late", 1, 1)).after(Duration.ofSeconds(3)), Answer.ok(StandIn.openAiCompletion("prompt", 1, 1)));
             VisionModel model = model(server, calls)) {
            Reply reply = model.generate(prompt(new ResponseShape.Text()));
            assertEquals("prompt", reply.text());
            assertEquals(2, reply.attempts());
        }
    }

    @Test
    void failsAsTransientWhenEveryAttemptTimesOut() {
        CallPolicy calls = StandIn.quick().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300)).withLimits(4, 2);
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("late", 1, 1)).after(Duration.ofSeconds(2)));
             VisionModel model = model(server, calls)) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertEquals(0, e.status());
            assertTrue(e.transientFailure());
            assertTrue(e.getMessage().contains("no complete reply within 300 ms") || e.getMessage().contains("timed out"), e.getMessage());
        }
    }

    @Test
    void failsOnASuccessfulStatusWhoseBodyIsNotJson() {
        try (StandIn server = StandIn.scripted(Answer.raw(200, "text/html", "<html><body>Welcome to nginx!</body></html>"));
             VisionModel model = model(server, StandIn.quick())) {
            ProviderException e = assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Text())));
            assertTrue(e.getMessage().contains("not JSON") && e.getMessage().contains("nginx"), e.getMessage());
            assertEquals(1, server.requests().size());
        }
    }

    @Test
    void keepsNoMoreRequestsInFlightThanTheConcurrencyAllows() throws Exception {
        CallPolicy calls = StandIn.quick().withLimits(2, 3);
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("ok", 1, 1)).after(Duration.ofMillis(250)));
             VisionModel model = model(server, calls);
             var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            Prompt small = new Prompt("Describe.", List.of(), new ResponseShape.Text(), CONFIG);
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) replies.add(callers.submit(() -> model.generate(small)));
            for (Future<Reply> f : replies) assertEquals("ok", f.get().text());

            assertEquals(8, server.requests().size());
            assertEquals(2, server.mostInFlight(), "eight callers, two at a time");
        }
    }

    @Test
    void refusesWhenTheCollectionIsCreatedASchemaStrictModeCannotExpress() {
        ObjectNode map = (ObjectNode) Json.read("{\"type\": \"object\", \"properties\": {\"attributes\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}}}}");
        try (StandIn server = StandIn.scripted(Answer.ok(StandIn.openAiCompletion("{}", 1, 1)));
             VisionModel model = model(server, StandIn.quick())) {
            LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> model.check(new ResponseShape.Schema(map), "feature_extractor.parameters.response_shape"));
            assertEquals("feature_extractor.parameters.response_shape", e.field());
            assertTrue(e.getMessage().contains("additionalProperties"), e.getMessage());
            assertThrows(ProviderException.class, () -> model.generate(prompt(new ResponseShape.Schema(map))));
            assertTrue(server.requests().isEmpty());
        }
    }
}
