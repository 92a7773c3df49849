package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.catalog.Blob;
import java.util.List;
import java.util.Optional;

/**
 * What an extractor reads from one input: a bucket object's blobs and metadata, or an
 * upstream collection's document fields. Paths are resolved the way Mixpeek's
 * {@code input_mappings} and {@code field_passthrough} write them: an optional
 * {@code payload.} prefix, then a blob property, a metadata key
 * ({@code metadata.} optional) or a document field, with dots descending into objects.
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

    static Optional<JsonNode> at(JsonNode root, String dotted) {
        if (root == null || dotted.isEmpty()) return Optional.empty();
        JsonNode cur = root;
        for (String part : dotted.split("\\.")) {
            if (cur == null || !cur.isObject()) return Optional.empty();
            cur = cur.get(part);
        }
        return cur == null || cur.isMissingNode() ? Optional.empty() : Optional.of(cur);
    }

    /** Sets {@code value} at a dot path of {@code target}, creating objects on the way. */
    public static void put(ObjectNode target, String dotted, JsonNode value) {
        String[] parts = dotted.split("\\.");
        ObjectNode cur = target;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = cur.get(parts[i]);
            cur = next instanceof ObjectNode o ? o : cur.putObject(parts[i]);
        }
        cur.set(parts[parts.length - 1], value);
    }
}
