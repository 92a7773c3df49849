package dev.loupe.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dot path into a document's JSON ({@code metadata.brand}), parsed once, with the one
 * meaning the index, the filter matcher, the candidate operations, templates and extractors
 * all give it:
 * <ul>
 *   <li>Each segment names a key of an object; a path reaching a non-object before its end
 *       reaches nothing.</li>
 *   <li>Arrays are traversed at any depth, on the way and at the end: {@code variants.color}
 *       reaches {@code "red"} in {@code {"variants": [{"color": "red"}]}}, and a value inside
 *       nested arrays is an element ({@code nested} holds {@code 1} and {@code 2} in
 *       {@code {"nested": [[1, 2]]}}). An array is never itself a value; only its first
 *       {@link #MAX_ARRAY_ELEMENTS} elements are seen.</li>
 *   <li>A JSON {@code null} reached at the end is a value for filters ({@code is_null},
 *       {@code eq null}); wherever one value is needed (sorting, grouping, deduplication,
 *       facets) null means missing.</li>
 *   <li>A field <em>exists</em> when the path reaches anything: a value, null, an object or an
 *       array (even an empty one).</li>
 * </ul>
 * Where one value per document is needed, {@link #values} gives all of them and the caller's
 * rule picks: sorting ascending takes the smallest, descending the largest (as the index does).
 */
public final class FieldPath {
    public static final int MAX_LENGTH = 512;
    public static final int MAX_DEPTH = 32;
    /** Per array: the index keeps no more, so nothing else looks further. */
    public static final int MAX_ARRAY_ELEMENTS = 1_000;

    private final String text;
    private final List<String> segments;

    private FieldPath(String text, List<String> segments) {
        this.text = text;
        this.segments = segments;
    }

    /** A path that cannot be taken, with the reason in words. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Parses a dot path.
     *
     * @throws Invalid when it is empty, longer than {@link #MAX_LENGTH}, deeper than {@link #MAX_DEPTH}, has an empty
     *     segment or holds a lone surrogate (the index's field names are UTF-8, where it has no form)
     */
    public static FieldPath parse(String text) {
        if (text == null || text.isEmpty()) throw new Invalid("a field path must not be empty");
        if (text.length() > MAX_LENGTH) throw new Invalid("field path is " + text.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
        int lone = Body.loneSurrogate(text);
        if (lone >= 0) throw new Invalid("field path holds a lone UTF-16 surrogate at character " + lone + "; send valid Unicode");
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (i == start) throw new Invalid("field path '" + text + "' has an empty segment");
                parts.add(text.substring(start, i));
                if (parts.size() > MAX_DEPTH) throw new Invalid("field path '" + text + "' is deeper than " + MAX_DEPTH + " segments");
                start = i + 1;
            }
        }
        return new FieldPath(text, List.copyOf(parts));
    }

    public List<String> segments() {
        return segments;
    }

    /** The path with its first segment removed, or empty when it has one segment. */
    public Optional<FieldPath> tail() {
        if (segments.size() == 1) return Optional.empty();
        return Optional.of(new FieldPath(text.substring(segments.getFirst().length() + 1), segments.subList(1, segments.size())));
    }

    /** The values the path reaches in {@code root}: scalars, nulls and objects, arrays traversed. */
    public List<JsonNode> values(JsonNode root) {
        List<JsonNode> out = new ArrayList<>();
        collect(root, 0, out, false);
        return out;
    }

    /** Whether the path reaches anything in {@code root} (see the class comment). */
    public boolean exists(JsonNode root) {
        List<JsonNode> out = new ArrayList<>();
        collect(root, 0, out, true);
        return !out.isEmpty();
    }

    private void collect(JsonNode node, int i, List<JsonNode> out, boolean arraysToo) {
        if (node == null || node.isMissingNode()) return;
        if (node.isArray()) {
            if (i == segments.size() && arraysToo) {
                out.add(node);
                return;
            }
            int n = 0;
            for (JsonNode item : node) {
                if (n++ >= MAX_ARRAY_ELEMENTS) break;
                collect(item, i, out, arraysToo);
            }
            return;
        }
        if (i == segments.size()) {
            out.add(node);
            return;
        }
        if (node.isObject()) collect(node.get(segments.get(i)), i + 1, out, arraysToo);
    }

    /**
     * The node to copy for this path, as passthrough and templates take it: the node itself
     * (an object or array whole) when no array lies on the way, else an array of the
     * {@link #values} reached; empty when nothing or only null is reached.
     */
    public Optional<JsonNode> select(JsonNode root) {
        JsonNode cur = root;
        for (String part : segments) {
            if (cur == null) return Optional.empty();
            if (cur.isArray()) {
                ArrayNode all = JsonNodeFactory.instance.arrayNode();
                for (JsonNode v : values(root)) if (!v.isNull()) all.add(v);
                return all.isEmpty() ? Optional.empty() : Optional.of(all);
            }
            cur = cur.isObject() ? cur.get(part) : null;
        }
        return cur == null || cur.isMissingNode() || cur.isNull() ? Optional.empty() : Optional.of(cur);
    }

    /** Sets {@code value} at this path of {@code target}, creating objects on the way and replacing what is not one. */
    public void put(ObjectNode target, JsonNode value) {
        ObjectNode cur = target;
        for (int i = 0; i < segments.size() - 1; i++) {
            JsonNode next = cur.get(segments.get(i));
            cur = next instanceof ObjectNode o ? o : cur.putObject(segments.get(i));
        }
        cur.set(segments.getLast(), value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The path as written: segments joined by dots. */
    @Override
    public String toString() {
        return text;
    }
}
