package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Body;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks execution inputs against a retriever's {@code input_schema}, in any of the
 * forms clients write it: {@code {"properties": {"query": {"type": "text", "required": true}}}},
 * JSON Schema's {@code "required": ["query"]}, or the bare property map.
 */
final class InputSchema {
    private InputSchema() {}

    static void check(JsonNode schema, JsonNode inputs) {
        if (schema == null || !schema.isObject() || schema.isEmpty()) return;
        JsonNode props = schema.has("properties") && schema.get("properties").isObject() ? schema.get("properties") : schema;
        Set<String> required = new HashSet<>();
        if (schema.path("required").isArray()) schema.get("required").forEach(n -> required.add(n.asText()));
        for (Map.Entry<String, JsonNode> e : props.properties()) {
            String name = e.getKey();
            JsonNode spec = e.getValue();
            if (!spec.isObject()) continue;
            JsonNode value = inputs.get(name);
            boolean missing = value == null || value.isNull();
            if (missing) {
                if (required.contains(name) || spec.path("required").asBoolean(false)) {
                    throw ApiException.invalid("inputs." + name, "is required by the retriever's input_schema");
                }
                continue;
            }
            String type = spec.path("type").asText("").toLowerCase(Locale.ROOT);
            boolean ok = switch (type) {
                case "text", "string", "url", "image", "video", "audio", "pdf", "date", "datetime" -> value.isTextual();
                case "integer" -> value.isIntegralNumber();
                case "number", "float" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                case "array", "vector" -> value.isArray();
                case "object" -> value.isObject();
                default -> true;
            };
            if (!ok) throw ApiException.invalid("inputs." + name, "must be of type " + type + ", got " + Body.kind(value));
        }
    }
}
