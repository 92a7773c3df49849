package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp's server, LM Studio,
 * Ollama's {@code /v1}): {@code POST {base}/chat/completions} with {@code Authorization: Bearer};
 * images as {@code image_url} content parts holding {@code data:image/jpeg;base64,} URLs. A
 * schema goes as {@code response_format: {type: json_schema, json_schema: {name, schema, strict: true}}}
 * after {@link StrictSchema} conversion; a described shape as {@code {type: json_object}}
 * (whose prompt must say JSON, which {@link Conversation#instructions} does). The output bound is
 * {@code max_completion_tokens} on OpenAI's own API (where {@code max_tokens} is deprecated and
 * refused by reasoning models) and {@code max_tokens} on every other server, which may not know
 * the newer name. Usage: {@code usage.prompt_tokens}, {@code usage.completion_tokens}.
 */
public final class OpenAiChat extends RemoteChat implements VisionModel {
    static final String SCHEMA_NAME = "response";
    private final Conversation.Dialect dialect = new Dialect();

    OpenAiChat(ProviderSettings settings) {
        super(settings);
    }

    @Override
    public Reply generate(Prompt prompt) {
        if (prompt.shape() instanceof ResponseShape.Schema s) strict(s); // refuse before encoding any image
        return super.generate(prompt);
    }

    @Override
    public void check(ResponseShape shape, String field) {
        if (shape instanceof ResponseShape.Schema s) {
            try {
                StrictSchema.convert(s.jsonSchema());
            } catch (IllegalArgumentException e) {
                throw LoupeException.invalid(field, "OpenAI's strict structured outputs cannot take this schema: " + e.getMessage());
            }
        }
    }

    private ObjectNode strict(ResponseShape.Schema s) {
        try {
            return StrictSchema.convert(s.jsonSchema());
        } catch (IllegalArgumentException e) {
            throw new ProviderException(describe(), "the response_shape schema cannot go to strict mode: " + e.getMessage());
        }
    }

    /** Whether the endpoint is OpenAI's own, which wants {@code max_completion_tokens}. */
    private boolean openAiItself() {
        String host = settings.baseUrl().getHost().toLowerCase(java.util.Locale.ROOT);
        return host.equals("api.openai.com");
    }

    private final class Dialect implements Conversation.Dialect {
        @Override
        public URI endpoint() {
            return URI.create(settings.baseUrl() + "/chat/completions");
        }

        @Override
        public Map<String, String> headers() {
            return settings.apiKey().map(k -> Map.of("Authorization", "Bearer " + k.reveal())).orElse(Map.of());
        }

        @Override
        public ObjectNode request(List<Conversation.Turn> turns, ResponseShape shape, GenerationConfig config) {
            ObjectNode body = Json.object().put("model", settings.model());
            ArrayNode messages = body.putArray("messages");
            for (Conversation.Turn turn : turns) {
                switch (turn) {
                    case Conversation.Turn.User u when u.jpegs().isEmpty() -> messages.addObject().put("role", "user").put("content", u.text());
                    case Conversation.Turn.User u -> {
                        ArrayNode content = messages.addObject().put("role", "user").putArray("content");
                        content.addObject().put("type", "text").put("text", u.text());
                        for (String jpeg : u.jpegs()) {
                            content.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/jpeg;base64," + jpeg);
                        }
                    }
                    case Conversation.Turn.Model m -> messages.addObject().put("role", "assistant").put("content", m.text());
                }
            }
            body.put("temperature", config.temperature()).put("top_p", config.topP());
            body.put(openAiItself() ? "max_completion_tokens" : "max_tokens", config.maxOutputTokens());
            switch (shape) {
                case ResponseShape.Text t -> {
                }
                case ResponseShape.Schema s -> {
                    ObjectNode schema = strict(s);
                    ObjectNode format = body.putObject("response_format").put("type", "json_schema");
                    format.putObject("json_schema").put("name", SCHEMA_NAME).put("strict", true).set("schema", schema);
                }
                case ResponseShape.Described d -> body.putObject("response_format").put("type", "json_object");
            }
            return body;
        }

        @Override
        public Conversation.Answer read(JsonNode response) {
            JsonNode message = response.path("choices").path(0).path("message");
            if (message.path("refusal").isTextual() && !message.path("refusal").asText().isBlank()) {
                throw new ProviderException(describe(), "the model refused: " + message.path("refusal").asText());
            }
            JsonNode content = message.path("content");
            if (!content.isTextual()) {
                throw new ProviderException(describe(), "the reply has no choices[0].message.content (finish_reason "
                        + response.path("choices").path(0).path("finish_reason").asText("absent") + ")");
            }
            JsonNode usage = response.path("usage");
            return new Conversation.Answer(content.asText(), new Usage(usage.path("prompt_tokens").asLong(0), usage.path("completion_tokens").asLong(0)));
        }
    }

    @Override
    Conversation.Dialect dialect() {
        return dialect;
    }
}
