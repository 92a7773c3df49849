package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stage catalogue ({@code GET /v1/retrievers/stages}): each stage with the JSON Schema
 * of its parameters, read from {@code retriever/stages.json}. The same schemas validate
 * the parameters of every stage a retriever is given, so what the catalogue publishes is
 * what Loupe enforces.
 */
public final class StageCatalog {
    private static final ArrayNode STAGES = load();
    private static final Map<String, JsonSchema> SCHEMAS = compile(STAGES);

    private StageCatalog() {}

    public static List<String> stageIds() {
        return StageKind.ids();
    }

    public static ArrayNode describe() {
        return STAGES.deepCopy();
    }

    /**
     * Checks a stage's parameters against its published schema; the first violation is a
     * 422 whose field is the violating parameter's path under {@code path}.
     */
    public static void validate(StageKind kind, JsonNode parameters, String path) {
        Set<ValidationMessage> errors = SCHEMAS.get(kind.id()).validate(parameters);
        if (errors.isEmpty()) return;
        ValidationMessage first = errors.stream()
                .min(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString()).thenComparing(ValidationMessage::getMessage))
                .orElseThrow();
        String field = path + suffix(first.getInstanceLocation());
        if (first.getProperty() != null && Set.of("additionalProperties", "required").contains(first.getType())) {
            field += "." + first.getProperty();
        }
        String message = switch (first.getType()) {
            case "additionalProperties" -> "is not a parameter of " + kind.id() + "; it takes " + parameterNames(kind);
            case "required" -> "is required";
            default -> first.getError() != null ? first.getError() : first.getMessage();
        };
        throw LoupeException.invalid(field, message);
    }

    private static Set<String> parameterNames(StageKind kind) {
        Set<String> names = new TreeSet<>();
        for (JsonNode s : STAGES) {
            if (s.path("stage_id").asText().equals(kind.id())) s.path("parameter_schema").path("properties").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    /** {@code $.searches[0].top_k} → {@code .searches[0].top_k}. */
    private static String suffix(JsonNodePath location) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            sb.append(element instanceof Integer n ? "[" + n + "]" : "." + element);
        }
        return sb.toString();
    }

    private static ArrayNode load() {
        try (InputStream in = StageCatalog.class.getResourceAsStream("/retriever/stages.json")) {
            if (in == null) throw new IllegalStateException("retriever/stages.json is missing from the build");
            ArrayNode stages = (ArrayNode) Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Set<String> ids = new TreeSet<>();
            stages.forEach(s -> ids.add(s.path("stage_id").asText()));
            if (!ids.equals(new TreeSet<>(StageKind.ids()))) {
                throw new IllegalStateException("stages.json lists " + ids + " but Loupe runs " + StageKind.ids());
            }
            return stages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, JsonSchema> compile(ArrayNode stages) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Map<String, JsonSchema> out = new HashMap<>();
        for (JsonNode s : stages) out.put(s.path("stage_id").asText(), factory.getSchema(s.path("parameter_schema")));
        return out;
    }
}
