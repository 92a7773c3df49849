package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Google's Gemini API: {@code POST {base}/v1beta/models/{model}:generateContent} with the key
 * in {@code x-goog-api-key} (never in the URL, where it would land in access logs). Parts are
 * spelled as the REST reference's JSON representation spells them, camelCase
 * ({@code {text}}, {@code {inlineData: {mimeType, data}}}; the API also reads the proto names
 * {@code inline_data}/{@code mime_type} its curl samples use). A schema goes as
 * {@code generationConfig.responseMimeType: application/json} plus
 * {@code responseJsonSchema} (JSON Schema, not the OpenAPI-subset {@code responseSchema}; never
 * both); a described shape sets the MIME type only. Sampling: {@code generationConfig.temperature,
 * topP, maxOutputTokens}. Usage: {@code usageMetadata.promptTokenCount, candidatesTokenCount}.
 * Parts marked {@code thought} are the model's reasoning and are not part of the answer.
 */
public final class GeminiGenerate extends RemoteChat implements VisionModel {
    private final Conversation.Dialect dialect = new Dialect();

    GeminiGenerate(ProviderSettings settings) {
        super(settings);
    }

    private final class Dialect implements Conversation.Dialect {
        @Override
        public URI endpoint() {
            String model = settings.model().startsWith("models/") ? settings.model().substring("models/".length()) : settings.model();
            return URI.create(settings.baseUrl() + "/v1beta/models/" + model + ":generateContent");
        }

        @Override
        public Map<String, String> headers() {
            return settings.apiKey().map(k -> Map.of("x-goog-api-key", k.reveal())).orElse(Map.of());
        }

        @Override
        public ObjectNode request(List<Conversation.Turn> turns, ResponseShape shape, GenerationConfig config) {
            ObjectNode body = Json.object();
            ArrayNode contents = body.putArray("contents");
            for (Conversation.Turn turn : turns) {
                switch (turn) {
                    case Conversation.Turn.User u -> {
                        ArrayNode parts = contents.addObject().put("role", "user").putArray("parts");
                        parts.addObject().put("text", u.text());
                        for (String jpeg : u.jpegs()) parts.addObject().putObject("inlineData").put("mimeType", "image/jpeg").put("data", jpeg);
                    }
                    case Conversation.Turn.Model m -> contents.addObject().put("role", "model").putArray("parts").addObject().put("text", m.text());
                }
            }
            ObjectNode generation = body.putObject("generationConfig")
                    .put("temperature", config.temperature()).put("topP", config.topP()).put("maxOutputTokens", config.maxOutputTokens());
            switch (shape) {
                case ResponseShape.Text t -> {
                }
                case ResponseShape.Schema s -> generation.put("responseMimeType", "application/json").set("responseJsonSchema", s.jsonSchema().deepCopy());
                case ResponseShape.Described d -> generation.put("responseMimeType", "application/json");
            }
            return body;
        }

        @Override
        public Conversation.Answer read(JsonNode response) {
            JsonNode candidate = response.path("candidates").path(0);
            if (candidate.isMissingNode()) {
                String blocked = response.path("promptFeedback").path("blockReason").asText("");
                throw new ProviderException(describe(), blocked.isEmpty() ? "the reply has no candidates" : "the prompt was blocked: " + blocked);
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode part : candidate.path("content").path("parts")) {
                if (part.path("thought").asBoolean(false)) continue;
                if (part.path("text").isTextual()) text.append(part.path("text").asText());
            }
            if (text.isEmpty()) {
                throw new ProviderException(describe(), "the candidate holds no text (finishReason " + candidate.path("finishReason").asText("absent") + ")");
            }
            JsonNode usage = response.path("usageMetadata");
            return new Conversation.Answer(text.toString(), new Usage(usage.path("promptTokenCount").asLong(0), usage.path("candidatesTokenCount").asLong(0)));
        }
    }

    @Override
    Conversation.Dialect dialect() {
        return dialect;
    }
}
