package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Ollama's native API: {@code POST {base}/api/chat} with {@code stream: false} (one JSON
 * reply, not a line per token); images as bare base64 in {@code messages[].images}; a schema
 * as {@code format: <schema>}, a described shape as {@code format: "json"}; sampling in
 * {@code options.temperature, top_p, num_predict}. Usage: {@code prompt_eval_count},
 * {@code eval_count}. A key, when set, goes as a bearer token, for an Ollama behind a proxy.
 */
public final class OllamaChat extends RemoteChat implements VisionModel {
    private final Conversation.Dialect dialect = new Dialect();

    OllamaChat(ProviderSettings settings) {
        super(settings);
    }

    private final class Dialect implements Conversation.Dialect {
        @Override
        public URI endpoint() {
            return URI.create(settings.baseUrl() + "/api/chat");
        }

        @Override
        public Map<String, String> headers() {
            return settings.apiKey().map(k -> Map.of("Authorization", "Bearer " + k.reveal())).orElse(Map.of());
        }

        @Override
        public ObjectNode request(List<Conversation.Turn> turns, ResponseShape shape, GenerationConfig config) {
            ObjectNode body = Json.object().put("model", settings.model()).put("stream", false);
            ArrayNode messages = body.putArray("messages");
            for (Conversation.Turn turn : turns) {
                switch (turn) {
                    case Conversation.Turn.User u -> {
                        ObjectNode m = messages.addObject().put("role", "user").put("content", u.text());
                        if (!u.jpegs().isEmpty()) u.jpegs().forEach(m.putArray("images")::add);
                    }
                    case Conversation.Turn.Model m -> messages.addObject().put("role", "assistant").put("content", m.text());
                }
            }
            switch (shape) {
                case ResponseShape.Text t -> {
                }
                case ResponseShape.Schema s -> body.set("format", s.jsonSchema().deepCopy());
                case ResponseShape.Described d -> body.put("format", "json");
            }
            body.putObject("options").put("temperature", config.temperature()).put("top_p", config.topP()).put("num_predict", config.maxOutputTokens());
            return body;
        }

        @Override
        public Conversation.Answer read(JsonNode response) {
            JsonNode content = response.path("message").path("content");
            if (!content.isTextual()) {
                throw new ProviderException(describe(), "the reply has no message.content (done_reason " + response.path("done_reason").asText("absent") + ")");
            }
            return new Conversation.Answer(content.asText(), new Usage(response.path("prompt_eval_count").asLong(0), response.path("eval_count").asLong(0)));
        }
    }

    @Override
    Conversation.Dialect dialect() {
        return dialect;
    }
}
