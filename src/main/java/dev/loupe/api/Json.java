package dev.loupe.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The project's one configured Jackson mapper, and the few conversions everyone needs. */
public final class Json {
    /** Deepest nesting of arrays and objects read; deeper documents are refused, not walked. */
    public static final int MAX_NESTING_DEPTH = 1_000;
    /** Longest number literal read, in characters. */
    public static final int MAX_NUMBER_LENGTH = 1_000;

    /**
     * Records map to Mixpeek's snake_case field names; absent optionals are left out. Numbers are
     * read by Jackson's bundled FastDoubleParser (the same doubles as the JDK's, found faster): a
     * query vector is hundreds of them in every search request.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder()
                    // A string is bounded by the body that holds it (the server's request limit), and an
                    // inline blob of the advertised 50 MB is a base64 string of about 70 million characters.
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build()).build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses stored JSON written by this program; a failure means corrupt storage. */
    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Whether two JSON values are the same, numbers by value: 1, 1.0 and a long 1 alike, and a
     * float equal to a double that rounds to it (a vector read back from JSON holds doubles
     * where the document holds floats). A client sending back what it read is sending the same.
     */
    public static boolean sameValue(JsonNode a, JsonNode b) {
        if (a == null || b == null) return a == b;
        if (a.isNumber() && b.isNumber()) {
            if (a.isFloat() || b.isFloat()) return (float) a.asDouble() == (float) b.asDouble();
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) if (!sameValue(a.get(i), b.get(i))) return false;
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) return false;
            for (var e : a.properties()) if (!sameValue(e.getValue(), b.get(e.getKey()))) return false;
            return true;
        }
        return a.equals(b);
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Parses a request body; malformed JSON is the client's mistake. */
    public static JsonNode parseRequest(String body) {
        if (body == null || body.isBlank()) return MAPPER.createObjectNode();
        try {
            return MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            // Jackson's limit errors carry no location.
            throw LoupeException.malformed("JSON body is beyond a parsing limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw LoupeException.malformed("malformed JSON body" + where + ": " + e.getOriginalMessage());
        }
    }

    /**
     * Applies a JSON Merge Patch (RFC 7396) to {@code target} in place: a key set to
     * {@code null} is removed, an object merges key by key into the object there (or into an
     * empty one), anything else replaces what was there. The one meaning of {@code null} in
     * every PATCH body.
     */
    public static void mergePatch(ObjectNode target, ObjectNode patch) {
        for (java.util.Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v instanceof ObjectNode inner) {
                ObjectNode into = target.get(e.getKey()) instanceof ObjectNode existing ? existing : target.putObject(e.getKey());
                mergePatch(into, inner);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        }
    }
}
