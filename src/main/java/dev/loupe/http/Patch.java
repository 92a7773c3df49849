package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A PATCH body checked against what a resource lets change. A field that may not change is a
 * 422 saying so and naming it, rather than being ignored, so a client never believes an
 * update happened that did not; {@code metadata} is merged the JSON Merge Patch way (RFC 7396:
 * keys given replace, {@code null} removes one, others stay).
 */
record Patch(Body body) {
    /**
     * @param mutable   the fields this resource lets change
     * @param immutable fields that may not change, each with the reason given when asked to
     * @param current   the resource as GET returns it: any of its fields sent back unchanged is
     *                  accepted, so a client may PATCH what it read with one field edited
     */
    static Patch of(Body body, Set<String> mutable, Map<String, String> immutable, JsonNode current) {
        for (var it = body.fields(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            if (mutable.contains(name)) continue;
            if (current != null && current.has(name) && dev.loupe.api.Json.sameValue(field.getValue(), current.get(name))) continue;
            String why = immutable.get(name);
            if (why == null && current != null && current.has(name)) why = "it is set by the server";
            if (why != null) throw body.invalid(name, "cannot be changed: " + why);
            throw body.invalid(name, "is not a field this update accepts; it may change " + new TreeSet<>(mutable));
        }
        return new Patch(body);
    }

    /** {@code current} metadata with the body's {@code metadata} merged into it. */
    ObjectNode metadata(JsonNode current) {
        ObjectNode out = current instanceof ObjectNode o ? o.deepCopy() : dev.loupe.api.Json.object();
        if (!body.has("metadata")) return out;
        ObjectNode changes = body.objectOrEmpty("metadata");
        dev.loupe.api.Json.mergePatch(out, changes);
        return out;
    }

    String name(String field, String current) {
        return body.has(field) ? body.requiredName(field) : current;
    }

    /** The new description: the body's when given ({@code null} clears it), else the current one. */
    String description(String current) {
        if (!body.node().has("description")) return current;
        return body.raw("description") == null ? null : body.requiredString("description");
    }
}
