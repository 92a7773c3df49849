package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A retriever's {@code input_schema}: in the OpenAPI shape, a map from input name to
 * {@code {type, required, default, description}}. Clients also send it wrapped as
 * {@code {"properties": {...}}}, optionally with JSON Schema's {@code "required": [...]};
 * {@link #normalize} turns every form into the map.
 */
public final class InputSchema {
    static final Set<String> TYPES = Set.of("string", "number", "integer", "float", "boolean", "object", "array", "date",
            "datetime", "text", "image", "audio", "video", "pdf", "excel", "document_reference", "url");

    private InputSchema() {}

    public static ObjectNode normalize(JsonNode schema, String path) {
        ObjectNode out = Json.object();
        if (schema == null || schema.isNull()) return out;
        if (!schema.isObject()) throw LoupeException.invalid(path, "must be an object of input definitions");
        boolean wrapped = schema.has("properties") && schema.get("properties").isObject() && !schema.path("properties").has("type");
        JsonNode fields = wrapped ? schema.get("properties") : schema;
        Set<String> required = new HashSet<>();
        if (wrapped && schema.path("required").isArray()) schema.get("required").forEach(n -> required.add(n.asText()));
        for (Map.Entry<String, JsonNode> e : fields.properties()) {
            if (!wrapped && (e.getKey().equals("type") || e.getKey().equals("required")) && !e.getValue().isObject()) continue;
            String at = path + "." + e.getKey();
            if (!e.getValue().isObject()) throw LoupeException.invalid(at, "must be an object with a 'type'");
            ObjectNode field = e.getValue().deepCopy();
            String type = field.path("type").asText("");
            if (type.isEmpty()) throw LoupeException.invalid(at + ".type", "is required");
            if (!TYPES.contains(type.toLowerCase(Locale.ROOT))) {
                throw LoupeException.invalid(at + ".type", "unknown type '" + type + "'; expected one of " + TYPES);
            }
            if (required.contains(e.getKey())) field.put("required", true);
            out.set(e.getKey(), field);
        }
        return out;
    }

    /**
     * The inputs an execution runs with: absent inputs take their schema {@code default},
     * then required inputs must be present and every input of its declared type.
     */
    static ObjectNode apply(JsonNode schema, ObjectNode inputs) {
        ObjectNode out = inputs.deepCopy();
        if (schema == null || !schema.isObject()) return out;
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            String name = e.getKey();
            JsonNode spec = e.getValue();
            JsonNode value = out.get(name);
            if ((value == null || value.isNull()) && spec.has("default") && !spec.get("default").isNull()) {
                value = spec.get("default");
                out.set(name, value);
            }
            if (value == null || value.isNull()) {
                if (spec.path("required").asBoolean(false)) {
                    throw LoupeException.invalid("inputs." + name, "is required by the retriever's input_schema");
                }
                continue;
            }
            String type = spec.path("type").asText("").toLowerCase(Locale.ROOT);
            boolean ok = switch (type) {
                case "text", "string", "url", "image", "video", "audio", "pdf", "date", "datetime", "excel" -> value.isTextual();
                case "integer" -> value.isIntegralNumber();
                case "number", "float" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                case "array" -> value.isArray();
                case "object" -> value.isObject();
                case "document_reference" -> value.isObject() || value.isTextual();
                default -> true;
            };
            if (!ok) throw LoupeException.invalid("inputs." + name, "must be of type " + type + ", got " + Body.kind(value));
        }
        return out;
    }
}
