package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.catalog.Blob;
import dev.loupe.document.FieldPath;
import java.util.List;
import java.util.Optional;

/**
 * What an extractor reads from one input: a bucket object's blobs and metadata, or an
 * upstream collection's document fields. Paths are resolved the way Mixpeek's
 * {@code input_mappings} and {@code field_passthrough} write them: an optional
 * {@code payload.} prefix, then a blob property, a metadata key
 * ({@code metadata.} optional) or a document field, read as a {@link FieldPath} (arrays
 * traversed, null as missing).
 */
public record SourceView(List<Blob> blobs, ObjectNode metadata, ObjectNode fields) {

    /** A resolved input: a blob of the object, or a plain JSON value. */
    public sealed interface Value {
        record OfBlob(Blob blob) implements Value {
        }

        record OfJson(JsonNode json) implements Value {
        }
    }

    public Optional<Value> resolve(String path) {
        String p = path.strip();
        if (p.startsWith("payload.")) p = p.substring("payload.".length());
        if (p.startsWith("blobs.")) p = p.substring("blobs.".length());
        for (Blob b : blobs) {
            if (b.property().equals(p)) return Optional.of(new Value.OfBlob(b));
        }
        Optional<JsonNode> v = at(fields, p);
        if (v.isEmpty() && p.startsWith("metadata.")) v = at(metadata, p.substring("metadata.".length()));
        if (v.isEmpty()) v = at(metadata, p);
        return v.map(Value.OfJson::new);
    }

    /** The JSON value at a path, for passthrough; blobs resolve to their URL or stored name. */
    public Optional<JsonNode> resolveJson(String path) {
        return resolve(path).map(v -> switch (v) {
            case Value.OfJson j -> j.json();
            case Value.OfBlob b -> com.fasterxml.jackson.databind.node.TextNode.valueOf(
                    b.blob().url() != null ? b.blob().url() : "blob:" + b.blob().sha256());
        });
    }

    /** The value at a dot path of {@code root}, as {@link FieldPath#select} takes it; empty for an invalid path. */
    static Optional<JsonNode> at(JsonNode root, String dotted) {
        if (root == null) return Optional.empty();
        FieldPath path;
        try {
            path = FieldPath.parse(dotted);
        } catch (FieldPath.Invalid e) {
            return Optional.empty();
        }
        return path.select(root);
    }

    /**
     * Sets {@code value} at a dot path of {@code target}, creating objects on the way.
     *
     * @throws FieldPath.Invalid when {@code dotted} is not a valid path
     */
    public static void put(ObjectNode target, String dotted, JsonNode value) {
        FieldPath.parse(dotted).put(target, value);
    }
}
