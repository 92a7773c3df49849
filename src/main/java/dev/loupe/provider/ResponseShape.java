package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import java.util.Objects;

/** The form a reply must take: Mixpeek's {@code response_shape}, or plain text when it is absent. */
public sealed interface ResponseShape {
    /** Free text ({@code description}). */
    record Text() implements ResponseShape {
    }

    /**
     * A JSON object conforming to a JSON Schema (draft 2020-12), validated on arrival. The
     * schema must describe an object (its fields land at the document's root; a schema with
     * {@code properties} and no {@code type} is taken as one and given {@code "type": "object"}), must be
     * self-contained (no {@code $id}, only local {@code #...} references, no foreign
     * {@code $schema}: validating a reply never fetches anything) and at most
     * {@value SchemaCheck#MAX_SCHEMA_CHARS} characters long.
     */
    record Schema(ObjectNode jsonSchema) implements ResponseShape {
        public Schema {
            Objects.requireNonNull(jsonSchema, "jsonSchema");
            jsonSchema = jsonSchema.deepCopy();
            if (!jsonSchema.has("type") && jsonSchema.has("properties")) jsonSchema.put("type", "object");
            SchemaCheck.admit(jsonSchema);
        }
    }

    /** A JSON object with the fields a plain-language string describes ("product type, colour, whether a brand is visible"). */
    record Described(String fields) implements ResponseShape {
        public static final int MAX_CHARS = 4_000;

        public Described {
            Objects.requireNonNull(fields, "fields");
            if (fields.isBlank()) throw new IllegalArgumentException("the description of the fields is empty");
            if (fields.length() > MAX_CHARS) throw new IllegalArgumentException("the description of the fields has " + fields.length() + " characters; at most " + MAX_CHARS);
        }
    }

    /**
     * Reads Mixpeek's {@code response_shape} at {@code path}: absent or null is {@link Text}, a
     * string {@link Described}, an object {@link Schema}.
     *
     * @throws LoupeException.Invalid naming {@code path} for anything else, or a schema {@link Schema} refuses
     */
    static ResponseShape of(JsonNode shape, String path) {
        if (shape == null || shape.isMissingNode() || shape.isNull()) return new Text();
        try {
            if (shape.isTextual()) return new Described(shape.asText());
            if (shape instanceof ObjectNode schema) return new Schema(schema);
        } catch (IllegalArgumentException e) {
            throw LoupeException.invalid(path, e.getMessage());
        }
        throw LoupeException.invalid(path, "must be a JSON Schema object or a plain-language string naming the fields, got: " + shape.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
}
