package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.resource.AllowSchemaLoader;
import dev.loupe.api.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schema side of structured replies, on networknt's validator: admitting a user's
 * schema, and checking a reply against it.
 */
final class SchemaCheck {
    static final int MAX_SCHEMA_CHARS = 64 * 1024;
    static final int MAX_DEPTH = 32;
    /** Dialects whose meta-schema the validator carries; any other {@code $schema} would have to be fetched. */
    private static final Set<String> KNOWN_DIALECTS = Set.of(
            "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#", "http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema");
    /** Violations quoted back to the model and in errors; the rest are counted. */
    private static final int QUOTED = 5;

    // Only the meta-schemas the validator bundles may load: a schema is user input, and a remote
    // $ref would be a request to wherever it points (the checks in admit() refuse one first).
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaLoaders(l -> l.add(new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:")))));
    /** Draft 2020-12's meta-schema, which catches a misspelt type before any model is asked. */
    private static final JsonSchema META = FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012));

    private SchemaCheck() {}

    /** @throws IllegalArgumentException saying why {@code schema} cannot shape a reply */
    static void admit(ObjectNode schema) {
        if (Json.write(schema).length() > MAX_SCHEMA_CHARS) throw new IllegalArgumentException("the schema is longer than " + MAX_SCHEMA_CHARS + " characters");
        if (!"object".equals(schema.path("type").asText())) {
            throw new IllegalArgumentException("the schema must describe an object (\"type\": \"object\"): its fields land at the document's root");
        }
        selfContained(schema, "$", 0);
        List<String> wrong = violations(META, schema);
        if (!wrong.isEmpty()) throw new IllegalArgumentException("is not a valid JSON Schema: " + String.join("; ", wrong));
        try {
            compile(schema);
        } catch (JsonSchemaException | IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("is not a usable JSON Schema: " + e.getMessage());
        }
    }

    private static void selfContained(JsonNode node, String at, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("the schema nests deeper than " + MAX_DEPTH + " levels");
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) selfContained(node.get(i), at + "[" + i + "]", depth + 1);
            return;
        }
        if (!node.isObject()) return;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "$ref", "$dynamicRef" -> {
                    if (!v.isTextual() || !v.asText().startsWith("#")) {
                        throw new IllegalArgumentException(at + "." + key + " must be a local reference (#/$defs/...), got: " + v);
                    }
                }
                case "$id" -> throw new IllegalArgumentException(at + ".$id is not supported: the schema must be self-contained");
                case "$schema" -> {
                    if (!KNOWN_DIALECTS.contains(v.asText())) throw new IllegalArgumentException(at + ".$schema must be draft 2020-12 or draft-07, got: " + v);
                }
                default -> {
                }
            }
            // "properties" maps names to schemas: a property called "$id" is a name, not a keyword.
            if (key.equals("properties") && v.isObject()) {
                for (Map.Entry<String, JsonNode> p : v.properties()) selfContained(p.getValue(), at + ".properties." + p.getKey(), depth + 1);
            } else {
                selfContained(v, at + "." + key, depth + 1);
            }
        }
    }

    static JsonSchema compile(ObjectNode schema) {
        JsonSchema compiled = FACTORY.getSchema(schema);
        compiled.initializeValidators();
        return compiled;
    }

    /**
     * The violations of {@code reply} against {@code schema}, as "$.path: message" lines,
     * first {@value #QUOTED} of them in document order; empty when it conforms.
     */
    static List<String> violations(JsonSchema schema, JsonNode reply) {
        Set<ValidationMessage> errors = schema.validate(reply);
        List<String> out = new ArrayList<>();
        Iterator<ValidationMessage> it = errors.stream()
                .sorted(Comparator.comparing((ValidationMessage m) -> m.getInstanceLocation().toString()).thenComparing(ValidationMessage::getMessage))
                .iterator();
        while (it.hasNext() && out.size() < QUOTED) out.add(it.next().getMessage());
        if (errors.size() > QUOTED) out.add("(and " + (errors.size() - QUOTED) + " more)");
        return out;
    }

    /**
     * Removes, in place, {@code null} values of properties the schema does not require and
     * whose own schema does not admit null: strict mode (see {@link StrictSchema}) makes every
     * optional property required-but-nullable, so a model says "absent" with null.
     */
    static void dropOptionalNulls(JsonNode schema, JsonNode value) {
        if (!(schema instanceof ObjectNode s)) return;
        if (value instanceof ObjectNode obj && s.get("properties") instanceof ObjectNode props) {
            Set<String> required = new java.util.HashSet<>();
            s.path("required").forEach(r -> required.add(r.asText()));
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                JsonNode v = obj.get(p.getKey());
                if (v == null) continue;
                if (v.isNull() && !required.contains(p.getKey()) && !admitsNull(p.getValue())) obj.remove(p.getKey());
                else dropOptionalNulls(p.getValue(), v);
            }
        }
        if (value != null && value.isArray() && s.get("items") != null) {
            for (JsonNode item : value) dropOptionalNulls(s.get("items"), item);
        }
    }

    /** Whether a property's schema says null outright: in its type, enum or const, or one anyOf/oneOf branch. */
    private static boolean admitsNull(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual() && type.asText().equals("null")) return true;
        for (JsonNode t : type) if (t.asText().equals("null")) return true;
        for (JsonNode e : schema.path("enum")) if (e.isNull()) return true;
        if (schema.has("const") && schema.get("const").isNull()) return true;
        for (String branches : List.of("anyOf", "oneOf")) for (JsonNode b : schema.path(branches)) if (admitsNull(b)) return true;
        return false;
    }
}
