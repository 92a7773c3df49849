package dev.loupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON object from a request, read field by field. Every accessor names the full
 * path of the field in its error ({@code feature_extractor.version: is required}),
 * so a client always learns which part of its request was wrong. A string holding half a
 * surrogate pair is refused wherever one is read ({@link #loneSurrogate}).
 */
public final class Body {
    private final JsonNode node;
    private final String path;

    private Body(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    public static Body of(JsonNode node) {
        return of(node, "body");
    }

    public static Body of(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) return new Body(Json.object(), path);
        if (!node.isObject()) throw LoupeException.invalid(path, "must be a JSON object, got " + kind(node));
        return new Body(node, path);
    }

    public JsonNode node() {
        return node;
    }

    public String path() {
        return path;
    }

    private String at(String field) {
        return path.equals("body") ? field : path + "." + field;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public JsonNode raw(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> LoupeException.invalid(at(field), "is required"));
    }

    /**
     * A member of a closed set, named by {@code field} in lower case as Mixpeek spells it
     * (any case is accepted); {@code fallback} when the field is absent. Another name is a
     * 422 that lists the choices.
     */
    public <E extends Enum<E>> E choice(String field, E fallback) {
        Optional<String> given = optionalString(field);
        if (given.isEmpty()) return fallback;
        E[] members = fallback.getDeclaringClass().getEnumConstants();
        for (E e : members) {
            if (wireName(e).equals(given.get().toLowerCase(java.util.Locale.ROOT))) return e;
        }
        throw invalid(field, "must be one of " + java.util.Arrays.stream(members).map(Body::wireName).toList() + ", got '" + given.get() + "'");
    }

    /** How a closed set's member is spelled on the wire. */
    public static String wireName(Enum<?> member) {
        return member.name().toLowerCase(java.util.Locale.ROOT);
    }

    public Optional<String> optionalString(String field) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isTextual()) throw LoupeException.invalid(at(field), "must be a string, got " + kind(v));
        return Optional.of(valid(v.asText(), at(field)));
    }

    /** {@code s}, refused when it holds half a surrogate pair (see {@link #loneSurrogate}). */
    private static String valid(String s, String path) {
        int lone = loneSurrogate(s);
        if (lone >= 0) throw LoupeException.invalid(path, "holds a lone UTF-16 surrogate at character " + lone + "; send valid Unicode");
        return s;
    }

    public String requiredName(String field) {
        String s = requiredString(field).trim();
        if (s.isEmpty()) throw LoupeException.invalid(at(field), "must not be empty");
        if (s.length() > 256) throw LoupeException.invalid(at(field), "must be at most 256 characters");
        if (s.chars().anyMatch(Character::isISOControl)) throw LoupeException.invalid(at(field), "must not hold control characters");
        return s;
    }

    public Optional<Boolean> optionalBoolean(String field) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isBoolean()) throw LoupeException.invalid(at(field), "must be a boolean, got " + kind(v));
        return Optional.of(v.asBoolean());
    }

    public Optional<Integer> optionalInt(String field, int min, int max) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw LoupeException.invalid(at(field), "must be an integer, got " + kind(v));
        int i = v.asInt();
        if (i < min || i > max) throw LoupeException.invalid(at(field), "must be between " + min + " and " + max + ", got " + i);
        return Optional.of(i);
    }

    public Optional<Long> optionalLong(String field, long min, long max) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw LoupeException.invalid(at(field), "must be an integer, got " + kind(v));
        long l = v.asLong();
        if (l < min || l > max) throw LoupeException.invalid(at(field), "must be between " + min + " and " + max + ", got " + l);
        return Optional.of(l);
    }

    public Optional<Double> optionalNumber(String field) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isNumber()) throw LoupeException.invalid(at(field), "must be a number, got " + kind(v));
        return Optional.of(v.asDouble());
    }

    public Body requiredObject(String field) {
        JsonNode v = raw(field);
        if (v == null) throw LoupeException.invalid(at(field), "is required");
        return of(v, at(field));
    }

    public Optional<Body> optionalObject(String field) {
        JsonNode v = raw(field);
        return v == null ? Optional.empty() : Optional.of(of(v, at(field)));
    }

    public ObjectNode objectOrEmpty(String field) {
        JsonNode v = raw(field);
        if (v == null) return Json.object();
        if (!v.isObject()) throw LoupeException.invalid(at(field), "must be a JSON object, got " + kind(v));
        return (ObjectNode) v.deepCopy();
    }

    /** The elements of an array field; absent means empty. */
    public List<JsonNode> array(String field) {
        JsonNode v = raw(field);
        if (v == null) return List.of();
        if (!v.isArray()) throw LoupeException.invalid(at(field), "must be an array, got " + kind(v));
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    /** Each element of an array field as an object, with its index in error paths. */
    public List<Body> objects(String field) {
        List<JsonNode> items = array(field);
        List<Body> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) out.add(of(items.get(i), at(field) + "[" + i + "]"));
        return out;
    }

    public List<String> strings(String field) {
        List<JsonNode> items = array(field);
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isTextual()) throw LoupeException.invalid(at(field) + "[" + i + "]", "must be a string, got " + kind(item));
            out.add(valid(item.asText(), at(field) + "[" + i + "]"));
        }
        return out;
    }

    /** Refuses (a 422 naming it) the first field that is not one of {@code known}, a closed request of {@code what}. */
    public void onlyFields(java.util.Collection<String> known, String what) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!known.contains(e.getKey())) {
                throw invalid(e.getKey(), "is not a field of " + what + " (" + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    public Iterator<Map.Entry<String, JsonNode>> fields() {
        return node.properties().iterator();
    }

    public LoupeException.Invalid invalid(String field, String message) {
        return LoupeException.invalid(at(field), message);
    }

    /**
     * Where {@code s} holds half a surrogate pair, or -1 when it is valid Unicode. Such a
     * string has no UTF-8 form: SQLite stores it as '?' and the index as U+FFFD, so it would
     * not read back or match as it was sent; every string field read through a {@code Body}
     * refuses one.
     */
    public static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else if (Character.isSurrogate(ch)) return i;
        }
        return -1;
    }

    public static String kind(JsonNode v) {
        if (v == null || v.isNull()) return "null";
        if (v.isTextual()) return "a string";
        if (v.isBoolean()) return "a boolean";
        if (v.isNumber()) return "a number";
        if (v.isArray()) return "an array";
        if (v.isObject()) return "an object";
        return v.getNodeType().name().toLowerCase();
    }
}
