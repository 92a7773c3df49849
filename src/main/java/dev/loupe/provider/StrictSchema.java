package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Converts a JSON Schema to the subset OpenAI's structured outputs accept with
 * {@code "strict": true}. The reply is still validated against the original schema, so a
 * constraint dropped here is enforced afterwards (and quoted back to the model on the retry).
 *
 * <ul>
 *   <li>Every object gets {@code "additionalProperties": false} and lists every property in
 *       {@code required}; a property that was optional becomes nullable ({@code "null"} added to
 *       its {@code type} and {@code enum}, or {@code anyOf: [its schema, {"type": "null"}]}), and a
 *       null in the reply is read as "absent" before validation.</li>
 *   <li>Kept: {@code type, properties, required, items, enum, const, anyOf, $defs, definitions,
 *       $ref} (local), {@code description, title, pattern, format, minimum, maximum,
 *       exclusiveMinimum, exclusiveMaximum, multipleOf, minItems, maxItems}.</li>
 *   <li>Rewritten: {@code oneOf} becomes {@code anyOf} (the validator still holds the reply to one).</li>
 *   <li>Dropped (checked locally only): {@code minLength, maxLength, minProperties,
 *       maxProperties, uniqueItems, contains, minContains, maxContains, default, examples,
 *       $schema, $comment, readOnly, writeOnly, deprecated, contentEncoding, contentMediaType,
 *       unevaluatedProperties, unevaluatedItems}.</li>
 *   <li>Refused, since no strict schema can mean the same: {@code allOf, not, if, then, else,
 *       dependentRequired, dependentSchemas, patternProperties, propertyNames, prefixItems,
 *       $dynamicRef}, {@code additionalProperties} other than false (a free-form map), an object
 *       without properties, a root that is not an object, nesting deeper than
 *       {@value #MAX_NESTING} objects, more than {@value #MAX_PROPERTIES} properties.</li>
 * </ul>
 */
public final class StrictSchema {
    static final int MAX_NESTING = 10;
    static final int MAX_PROPERTIES = 5_000;
    private static final Set<String> KEPT = Set.of("type", "properties", "required", "items", "enum", "const", "anyOf", "$defs",
            "definitions", "$ref", "description", "title", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "additionalProperties", "oneOf");
    private static final Set<String> DROPPED = Set.of("minLength", "maxLength", "minProperties", "maxProperties", "uniqueItems",
            "contains", "minContains", "maxContains", "default", "examples", "$schema", "$comment", "readOnly", "writeOnly",
            "deprecated", "contentEncoding", "contentMediaType", "unevaluatedProperties", "unevaluatedItems");

    private StrictSchema() {}

    /**
     * The strict form of {@code schema}, which is left unchanged.
     *
     * @throws IllegalArgumentException naming the first construct strict mode cannot express, and where it is
     */
    public static ObjectNode convert(ObjectNode schema) {
        if (!"object".equals(schema.path("type").asText())) throw new IllegalArgumentException("$: strict mode needs an object at the root");
        int[] properties = {0};
        return convert(schema, "$", 0, properties);
    }

    private static ObjectNode convert(ObjectNode schema, String at, int nesting, int[] properties) {
        ObjectNode out = Json.object();
        for (Map.Entry<String, JsonNode> e : schema.properties()) {
            String key = e.getKey();
            if (DROPPED.contains(key)) continue;
            if (!KEPT.contains(key)) throw new IllegalArgumentException(at + "." + key + ": strict mode cannot express this keyword");
            JsonNode v = e.getValue();
            switch (key) {
                case "properties", "$defs", "definitions" -> {
                    ObjectNode converted = out.putObject(key);
                    boolean isProperties = key.equals("properties");
                    if (isProperties && nesting + 1 > MAX_NESTING) throw new IllegalArgumentException(at + ": objects nest deeper than " + MAX_NESTING + " levels");
                    for (Map.Entry<String, JsonNode> p : v.properties()) {
                        if (isProperties && ++properties[0] > MAX_PROPERTIES) throw new IllegalArgumentException(at + ": more than " + MAX_PROPERTIES + " properties");
                        converted.set(p.getKey(), sub(p.getValue(), at + "." + key + "." + p.getKey(), isProperties ? nesting + 1 : nesting, properties));
                    }
                }
                case "items" -> {
                    if (!v.isObject()) throw new IllegalArgumentException(at + ".items: strict mode needs one schema for every item");
                    out.set(key, sub(v, at + ".items", nesting, properties));
                }
                case "anyOf", "oneOf" -> {
                    ArrayNode branches = out.withArray("anyOf");
                    for (int i = 0; i < v.size(); i++) branches.add(sub(v.get(i), at + "." + key + "[" + i + "]", nesting, properties));
                }
                case "additionalProperties" -> {
                    if (!(v.isBoolean() && !v.asBoolean())) {
                        throw new IllegalArgumentException(at + ".additionalProperties: strict mode allows only false (no free-form maps); list the properties");
                    }
                }
                default -> out.set(key, v.deepCopy());
            }
        }
        if (isObject(schema)) {
            if (!(schema.get("properties") instanceof ObjectNode props) || props.isEmpty()) {
                throw new IllegalArgumentException(at + ": strict mode needs an object's properties listed");
            }
            Set<String> required = new HashSet<>();
            schema.path("required").forEach(r -> required.add(r.asText()));
            ObjectNode converted = (ObjectNode) out.get("properties");
            ArrayNode all = out.putArray("required");
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                all.add(p.getKey());
                if (!required.contains(p.getKey())) converted.set(p.getKey(), nullable((ObjectNode) converted.get(p.getKey())));
            }
            out.put("additionalProperties", false);
        }
        return out;
    }

    private static ObjectNode sub(JsonNode schema, String at, int nesting, int[] properties) {
        if (!(schema instanceof ObjectNode o)) throw new IllegalArgumentException(at + ": strict mode needs a schema object here");
        return convert(o, at, nesting, properties);
    }

    private static boolean isObject(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual()) return type.asText().equals("object");
        for (JsonNode t : type) if (t.asText().equals("object")) return true;
        return false;
    }

    private static ObjectNode nullable(ObjectNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && !schema.has("anyOf") && !schema.has("$ref")) {
            ObjectNode out = schema.deepCopy();
            ArrayNode types = Json.array();
            if (type.isTextual()) types.add(type.asText());
            else type.forEach(types::add);
            if (!contains(types, "null")) types.add("null");
            out.set("type", types);
            if (out.get("enum") instanceof ArrayNode values && !containsNull(values)) values.addNull();
            return out;
        }
        ObjectNode out = Json.object();
        out.putArray("anyOf").add(schema).add(Json.object().put("type", "null"));
        return out;
    }

    private static boolean contains(ArrayNode values, String s) {
        for (JsonNode v : values) if (v.asText().equals(s)) return true;
        return false;
    }

    private static boolean containsNull(ArrayNode values) {
        for (JsonNode v : values) if (v.isNull()) return true;
        return false;
    }
}
