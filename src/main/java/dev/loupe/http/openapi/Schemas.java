package dev.loupe.http.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.List;
import java.util.Objects;

/**
 * JSON Schema pieces (draft 2020-12, the dialect of OpenAPI 3.1) for the operations' bodies and
 * answers. Each call returns a new node, so a piece may be refined ({@link #about}) freely.
 * Bounds here are the ones Loupe enforces: a schema promises no more than the code checks.
 */
public final class Schemas {
    private Schemas() {}

    /** A property of an {@link #object}. */
    public record Field(String name, JsonNode schema, boolean required) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, name);
        }

        /** This field marked as Loupe's own: Mixpeek's request or answer has no such field. */
        public Field extension() {
            return new Field(name, ((ObjectNode) schema.deepCopy()).put(ApiDocument.EXTENSION, true), required);
        }
    }

    public static Field required(String name, JsonNode schema) {
        return new Field(name, schema, true);
    }

    public static Field optional(String name, JsonNode schema) {
        return new Field(name, schema, false);
    }

    /** An object with these properties; others may be present (Loupe ignores what it does not read). */
    public static ObjectNode object(Field... fields) {
        ObjectNode s = type("object");
        ObjectNode props = s.putObject("properties");
        ArrayNode required = Json.array();
        for (Field f : fields) {
            if (props.has(f.name())) throw new IllegalArgumentException("property '" + f.name() + "' is listed twice");
            props.set(f.name(), f.schema());
            if (f.required()) required.add(f.name());
        }
        if (!required.isEmpty()) s.set("required", required);
        return s;
    }

    /**
     * Marks the named properties of {@code objectSchema} (an {@link #object}, or a {@link #oneOf}
     * of them) as Loupe's own, as {@link Field#extension()} does; refuses a name it lacks.
     */
    public static ObjectNode extensions(ObjectNode objectSchema, String... names) {
        for (String name : names) {
            boolean found = false;
            List<JsonNode> shapes = new java.util.ArrayList<>(List.of(objectSchema));
            objectSchema.path("oneOf").forEach(shapes::add);
            for (JsonNode shape : shapes) {
                if (shape.path("properties").get(name) instanceof ObjectNode p) {
                    p.put(ApiDocument.EXTENSION, true);
                    found = true;
                }
            }
            if (!found) throw new IllegalArgumentException("no property '" + name + "' to mark in " + objectSchema);
        }
        return objectSchema;
    }

    /** An object whose only properties are these: Loupe refuses any other with 422. */
    public static ObjectNode closedObject(Field... fields) {
        return object(fields).put("additionalProperties", false);
    }

    /** Any JSON object (user metadata, a JSON Schema, parameters an extractor checks itself). */
    public static ObjectNode anyObject() {
        return type("object");
    }

    /** Any JSON value. */
    public static ObjectNode any() {
        return Json.object();
    }

    public static ObjectNode string() {
        return type("string");
    }

    public static ObjectNode string(int minLength, int maxLength) {
        return type("string").put("minLength", minLength).put("maxLength", maxLength);
    }

    /** {@code schema} (a string) restricted to an ECMA-262 regular expression. */
    public static ObjectNode pattern(ObjectNode schema, String regex) {
        return schema.put("pattern", regex);
    }

    /** A resource name as {@code Body.requiredName} takes it: trimmed, 1–256 characters, no control characters. */
    public static ObjectNode name() {
        return about(string(1, 256), "trimmed; 1 to 256 characters, none a control character");
    }

    /** {@code schema}, or JSON null: for a field the answer holds as null when it has no value. */
    public static ObjectNode nullable(ObjectNode schema) {
        String type = schema.path("type").asText();
        if (type.isEmpty()) throw new IllegalArgumentException("nullable needs a schema with one type: " + schema);
        schema.putArray("type").add(type).add("null");
        return schema;
    }

    public static ObjectNode dateTime() {
        return type("string").put("format", "date-time");
    }

    public static ObjectNode integer() {
        return type("integer");
    }

    public static ObjectNode integer(long minimum, long maximum) {
        return type("integer").put("minimum", minimum).put("maximum", maximum);
    }

    public static ObjectNode number() {
        return type("number");
    }

    public static ObjectNode bool() {
        return type("boolean");
    }

    public static ObjectNode array(JsonNode items) {
        ObjectNode s = type("array");
        s.set("items", items);
        return s;
    }

    public static ObjectNode array(JsonNode items, int maxItems) {
        return array(items).put("maxItems", maxItems);
    }

    /** An array of strings, as long as the request's size allows. */
    public static ObjectNode strings() {
        return array(string());
    }

    /** An array of {@code minItems} to {@code maxItems} strings: bounds the code checks. */
    public static ObjectNode strings(int minItems, int maxItems) {
        return array(string(), maxItems).put("minItems", minItems);
    }

    public static ObjectNode oneOf(JsonNode... choices) {
        ObjectNode s = Json.object();
        ArrayNode list = s.putArray("oneOf");
        for (JsonNode c : choices) list.add(c);
        return s;
    }

    public static ObjectNode enumOf(String... values) {
        ObjectNode s = type("string");
        ArrayNode list = s.putArray("enum");
        for (String v : values) list.add(v);
        return s;
    }

    /** A component schema of the document, {@code #/components/schemas/NAME}. */
    public static ObjectNode ref(String component) {
        return Json.object().put("$ref", "#/components/schemas/" + component);
    }

    /** {@code schema} with a description (beside a {@code $ref} too: OpenAPI 3.1 allows it). */
    public static ObjectNode about(ObjectNode schema, String description) {
        return schema.put("description", description);
    }

    /** A listing's answer: {@code results} of {@code item} and Mixpeek's {@code pagination}. */
    public static ObjectNode listOf(String item) {
        return object(required("results", array(ref(item))), required("pagination", ref("Pagination")));
    }

    private static ObjectNode type(String type) {
        return Json.object().put("type", type);
    }
}
