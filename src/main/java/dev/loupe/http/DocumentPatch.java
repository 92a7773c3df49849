package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A change to a document's fields, from the body of {@code PATCH} or {@code PUT
 * /v1/collections/{c}/documents/{d}}. Each key of the body is a field or a dot path
 * ({@code "metadata.status"}) naming what changes.
 * <ul>
 *   <li>{@link Mode#MERGE} (PATCH): a JSON Merge Patch (RFC 7396), as for the metadata of
 *       objects, buckets and collections: {@code null} removes the field, an object merges
 *       into the object already there key by key, fields the body does not name stay.</li>
 *   <li>{@link Mode#REPLACE} (PUT): the document's own fields become the body's, nulls
 *       included; fields the body does not name are removed.</li>
 * </ul>
 * What Loupe sets (the ids, the lineage, {@code created_at}, the thumbnail) and the vectors
 * are not the caller's to change: Mixpeek's batch update excludes vectors, and deleting a
 * source object's documents finds them by their lineage. A body may still carry such a field
 * with the value it has (a document as GET returned it, sent back); another value is a 422.
 */
record DocumentPatch(Mode mode, List<Change> changes) {
    /** Fields Loupe writes at ingestion; {@code document_blobs} is derived from {@code thumbnail_url} for each answer. */
    static final Set<String> SYSTEM_FIELDS = Set.of("document_id", "collection_id", "root_object_id", "root_bucket_id", "source_object_id",
            "source_document_id", "source_type", "created_at", "processing_time_ms", "thumbnail_url", "document_blobs", "_internal");
    private static final int MAX_DEPTH = 32;

    enum Mode { MERGE, REPLACE }

    /** One key of the body: the value to set at {@code path}. */
    record Change(String key, List<String> path, JsonNode value) {
        Change {
            path = List.copyOf(path);
        }
    }

    DocumentPatch {
        changes = List.copyOf(changes);
    }

    /**
     * Reads and checks a body against the document as GET shows it ({@code current}, with
     * its vectors, named {@code vectorFields}).
     */
    static DocumentPatch parse(JsonNode body, Mode mode, ObjectNode current, Set<String> vectorFields) {
        if (!body.isObject()) throw LoupeException.invalid("body", "must be a JSON object of the fields to set, got " + Body.kind(body));
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            String key = e.getKey();
            List<String> path = Arrays.asList(key.split("\\.", -1));
            if (path.contains("") || path.size() > MAX_DEPTH) {
                throw LoupeException.invalid(key, "is not a field name or a dot path of at most " + MAX_DEPTH + " names");
            }
            String top = path.getFirst();
            if (vectorFields.contains(top) || SYSTEM_FIELDS.contains(top)) {
                JsonNode have = at(current, path);
                if (have != null && Json.sameValue(have, e.getValue())) continue;
                throw LoupeException.invalid(key, vectorFields.contains(top)
                        ? "is a vector of the collection's index and cannot be changed by an update; reprocess the source object instead"
                        : "is set by Loupe and cannot be changed by an update");
            }
            changes.add(new Change(key, path, e.getValue()));
        }
        return new DocumentPatch(mode, changes);
    }

    /** The document's stored fields after the change ({@code fields} is a copy the caller owns). */
    ObjectNode applyTo(ObjectNode fields) {
        if (mode == Mode.REPLACE) {
            List<String> own = new ArrayList<>();
            fields.fieldNames().forEachRemaining(name -> {
                if (!SYSTEM_FIELDS.contains(name)) own.add(name);
            });
            fields.remove(own);
        }
        for (Change c : changes) {
            ObjectNode into = fields;
            for (int i = 0; i < c.path().size() - 1; i++) {
                String name = c.path().get(i);
                JsonNode next = into.get(name);
                if (next == null || next.isNull()) {
                    into = into.putObject(name);
                } else if (next instanceof ObjectNode o) {
                    into = o;
                } else {
                    throw LoupeException.invalid(c.key(), "cannot set a field inside '" + String.join(".", c.path().subList(0, i + 1))
                            + "', which is " + Body.kind(next) + ", not an object");
                }
            }
            String last = c.path().getLast();
            if (mode == Mode.MERGE && c.value().isNull()) {
                into.remove(last);
            } else if (mode == Mode.MERGE && c.value() instanceof ObjectNode patch) {
                Json.mergePatch(into.get(last) instanceof ObjectNode existing ? existing : into.putObject(last), patch);
            } else {
                into.set(last, c.value().deepCopy());
            }
        }
        return fields;
    }

    private static JsonNode at(JsonNode node, List<String> path) {
        JsonNode cur = node;
        for (String name : path) cur = cur != null && cur.isObject() ? cur.get(name) : null;
        return cur;
    }
}
