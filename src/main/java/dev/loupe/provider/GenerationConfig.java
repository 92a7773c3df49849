package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.LoupeException;
import java.util.Map;
import java.util.Set;

/**
 * Sampling settings for one call, from Mixpeek's {@code generation_config}. Each protocol
 * spells them its own way: OpenAI {@code temperature}, {@code top_p} and
 * {@code max_completion_tokens} (OpenAI's own endpoint) or {@code max_tokens} (every other
 * OpenAI-compatible server); Gemini {@code generationConfig.temperature}, {@code topP},
 * {@code maxOutputTokens}; Ollama {@code options.temperature}, {@code top_p}, {@code num_predict}.
 *
 * @param temperature     0..2
 * @param topP            0..1
 * @param maxOutputTokens 1..{@value #MAX_OUTPUT_TOKENS}
 */
public record GenerationConfig(double temperature, double topP, int maxOutputTokens) {
    /** Mixpeek's defaults. */
    public static final GenerationConfig DEFAULT = new GenerationConfig(0.7, 0.8, 1024);
    public static final int MAX_OUTPUT_TOKENS = 65_536;
    private static final Set<String> JSON_MIME_TYPES = Set.of("text/plain", "application/json");
    private static final Set<String> FIELDS = Set.of("temperature", "top_p", "max_output_tokens", "candidate_count",
            "response_mime_type", "response_schema");

    public GenerationConfig {
        if (!(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("temperature must be 0..2, got: " + temperature);
        if (!(topP >= 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be 0..1, got: " + topP);
        if (maxOutputTokens < 1 || maxOutputTokens > MAX_OUTPUT_TOKENS) {
            throw new IllegalArgumentException("max_output_tokens must be 1.." + MAX_OUTPUT_TOKENS + ", got: " + maxOutputTokens);
        }
    }

    /**
     * Reads Mixpeek's {@code GenerationConfig} object found at {@code path} (absent or null: the
     * defaults; each absent field: its default). {@code candidate_count} may only be 1 (one
     * description per object); {@code response_mime_type} may be text/plain or application/json
     * and changes nothing, since {@code response_shape} decides the reply's form;
     * {@code response_schema} is refused in favour of {@code response_shape}, where the schema is
     * validated and its fields declared.
     *
     * @throws LoupeException.Invalid naming the offending field
     */
    public static GenerationConfig of(JsonNode config, String path) {
        if (config == null || config.isMissingNode() || config.isNull()) return DEFAULT;
        if (!config.isObject()) throw LoupeException.invalid(path, "must be an object");
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            if (!FIELDS.contains(e.getKey())) {
                throw LoupeException.invalid(path + "." + e.getKey(), "is not a generation_config field; it takes " + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        double temperature = number(config, "temperature", path, DEFAULT.temperature, 2);
        double topP = number(config, "top_p", path, DEFAULT.topP, 1);
        int maxTokens = DEFAULT.maxOutputTokens;
        JsonNode max = config.get("max_output_tokens");
        if (max != null && !max.isNull()) {
            if (!max.canConvertToExactIntegral() || max.asLong() < 1 || max.asLong() > MAX_OUTPUT_TOKENS) {
                throw LoupeException.invalid(path + ".max_output_tokens", "must be a whole number 1.." + MAX_OUTPUT_TOKENS + ", got: " + max);
            }
            maxTokens = max.asInt();
        }
        JsonNode candidates = config.get("candidate_count");
        if (candidates != null && !candidates.isNull() && !(candidates.canConvertToExactIntegral() && candidates.asLong() == 1)) {
            throw LoupeException.invalid(path + ".candidate_count", "only 1 is supported (one description per object), got: " + candidates);
        }
        JsonNode mime = config.get("response_mime_type");
        if (mime != null && !mime.isNull() && !(mime.isTextual() && JSON_MIME_TYPES.contains(mime.asText()))) {
            throw LoupeException.invalid(path + ".response_mime_type", "must be text/plain or application/json (response_shape decides the reply's form), got: " + mime);
        }
        JsonNode schema = config.get("response_schema");
        if (schema != null && !schema.isNull()) {
            throw LoupeException.invalid(path + ".response_schema", "put the JSON Schema in response_shape, where it is validated and its fields are declared");
        }
        return new GenerationConfig(temperature, topP, maxTokens);
    }

    private static double number(JsonNode config, String field, String path, double fallback, double max) {
        JsonNode v = config.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= max)) {
            throw LoupeException.invalid(path + "." + field, "must be a number 0.." + (int) max + ", got: " + v);
        }
        return v.asDouble();
    }
}
