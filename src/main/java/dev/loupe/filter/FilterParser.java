package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Parses Mixpeek's filter JSON into a {@link FilterNode}:
 * <ul>
 *   <li>{@code {"AND": [...], "OR": [...], "NOT": [...]}}, nested freely (keys present together are ANDed);</li>
 *   <li>a condition {@code {"field": "metadata.brand", "operator": "eq", "value": "Acme"}};</li>
 *   <li>the shorthand {@code {"metadata.brand": "Acme"}} for {@code eq};</li>
 *   <li>a value {@code {"type": "dynamic", "field": "inputs.user_id"}} taken from the execution inputs;</li>
 *   <li>a string value holding templates ({@code "{{INPUT.brand}}"}, also as an element of an
 *       {@code in} list), rendered against the execution inputs.</li>
 * </ul>
 * Errors are 422s whose field is the JSON path of the offending part.
 */
public final class FilterParser {
    private static final List<String> LOGICAL = List.of("AND", "OR", "NOT");
    /** What a value is while it cannot be known: the inputs come with each execution. */
    private static final JsonNode UNKNOWN = MissingNode.getInstance();

    /**
     * Where a filter's dynamic values and templates get their values: an execution's inputs.
     * Either may answer {@link MissingNode} for "known only at execution", which accepts the
     * value without checking its type against the operator.
     */
    public interface Inputs {
        /** The input a dynamic value names ({@code inputs.user_id}), or null when it is absent. */
        JsonNode dynamic(String ref);

        /**
         * A string value with its templates rendered: one whole template keeps the input's
         * JSON type, a template inside longer text renders to text, and text without templates
         * stays as it is. A missing input without a default is a 422 naming it and {@code path}.
         */
        JsonNode render(String text, String path);
    }

    /** Where no inputs exist ({@code documents/list}): strings are literal, dynamic values refused. */
    private static final Inputs NONE = new Inputs() {
        @Override
        public JsonNode dynamic(String ref) {
            throw new IllegalStateException("unreachable: dynamic values are refused before lookup");
        }

        @Override
        public JsonNode render(String text, String path) {
            return TextNode.valueOf(text);
        }
    };

    /** When a retriever is saved: the structure is checked, values that come from inputs are not. */
    private static final Inputs DEFERRED = new Inputs() {
        @Override
        public JsonNode dynamic(String ref) {
            return UNKNOWN;
        }

        @Override
        public JsonNode render(String text, String path) {
            return text.contains("{{") ? UNKNOWN : TextNode.valueOf(text);
        }
    };

    private final Inputs inputs;

    /** @param dynamicValues resolves {@code inputs.x} paths; null where no inputs exist. Strings are taken literally. */
    public FilterParser(Function<String, JsonNode> dynamicValues) {
        this(dynamicValues == null ? NONE : new Inputs() {
            @Override
            public JsonNode dynamic(String ref) {
                return dynamicValues.apply(ref);
            }

            @Override
            public JsonNode render(String text, String path) {
                return TextNode.valueOf(text);
            }
        });
    }

    private FilterParser(Inputs inputs) {
        this.inputs = inputs;
    }

    /** A parser whose dynamic values and templates take their values from {@code inputs}. */
    public static FilterParser withInputs(Inputs inputs) {
        return new FilterParser(inputs);
    }

    /**
     * A parser for checking a filter whose values may come from inputs not yet given (a
     * retriever being saved): everything but those values is checked.
     */
    public static FilterParser deferringInputs() {
        return new FilterParser(DEFERRED);
    }

    public static FilterNode parseStatic(JsonNode node, String path) {
        return new FilterParser(NONE).parse(node, path);
    }

    public FilterNode parse(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) return FilterNode.ALL;
        if (!node.isObject()) throw LoupeException.invalid(path, "a filter must be a JSON object, got " + Body.kind(node));
        if (node.isEmpty()) return FilterNode.ALL;
        if (node.has("field") && (node.has("operator") || node.has("value"))) return condition(node, path);
        List<FilterNode> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            String upper = key.toUpperCase(Locale.ROOT);
            if (LOGICAL.contains(upper)) {
                List<FilterNode> children = children(e.getValue(), path + "." + key);
                parts.add(switch (upper) {
                    case "AND" -> new FilterNode.And(children);
                    case "OR" -> new FilterNode.Or(children);
                    default -> new FilterNode.Not(children);
                });
            } else if (key.equals("case_sensitive")) {
                continue; // accepted for compatibility; matching is exact
            } else {
                parts.add(new FilterNode.Condition(key, FilterNode.Operator.EQ, value(e.getValue(), path + "." + key)));
            }
        }
        if (parts.isEmpty()) return FilterNode.ALL;
        return parts.size() == 1 ? parts.getFirst() : new FilterNode.And(parts);
    }

    private List<FilterNode> children(JsonNode arr, String path) {
        if (!arr.isArray()) throw LoupeException.invalid(path, "must be an array of filters, got " + Body.kind(arr));
        List<FilterNode> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) out.add(parse(arr.get(i), path + "[" + i + "]"));
        return out;
    }

    private FilterNode condition(JsonNode node, String path) {
        JsonNode field = node.get("field");
        if (field == null || !field.isTextual() || field.asText().isBlank()) {
            throw LoupeException.invalid(path + ".field", "must be a non-empty string");
        }
        String opName = node.path("operator").asText("eq");
        FilterNode.Operator op;
        try {
            op = FilterNode.Operator.valueOf(opName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw LoupeException.invalid(path + ".operator", "unknown operator '" + opName + "'; expected one of "
                    + Arrays.stream(FilterNode.Operator.values()).map(FilterNode.Operator::wireName).toList());
        }
        JsonNode value = value(node.get("value"), path + ".value");
        if (!value.isMissingNode()) checkValue(op, value, path + ".value");
        try {
            return new FilterNode.Condition(field.asText(), op, value);
        } catch (FilterRegex.Invalid e) {
            throw LoupeException.invalid(path + ".value", e.getMessage());
        }
    }

    private JsonNode value(JsonNode v, String path) {
        if (v != null && v.isObject() && "dynamic".equals(v.path("type").asText())) {
            String ref = v.path("field").asText("");
            if (ref.isBlank()) throw LoupeException.invalid(path + ".field", "a dynamic value must name its field");
            if (inputs == NONE) throw LoupeException.invalid(path, "dynamic values are only allowed where inputs exist");
            JsonNode resolved = inputs.dynamic(ref);
            if (resolved == null) throw LoupeException.invalid(path, "dynamic value '" + ref + "' is not among the inputs");
            return resolved;
        }
        if (v != null && v.isTextual()) return inputs.render(v.asText(), path);
        if (v != null && v.isArray()) return elements(v, path);
        return v == null ? NullNode.instance : v;
    }

    /**
     * An array value with each string element rendered; an element that renders to an array
     * (an {@code in} list given as one input) adds its elements.
     */
    private JsonNode elements(JsonNode array, String path) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (!item.isTextual()) {
                out.add(item);
                continue;
            }
            JsonNode rendered = inputs.render(item.asText(), path + "[" + i + "]");
            if (rendered.isMissingNode()) return UNKNOWN;
            if (rendered.isArray()) out.addAll((ArrayNode) rendered);
            else out.add(rendered);
        }
        return out;
    }

    private static void checkValue(FilterNode.Operator op, JsonNode value, String path) {
        switch (op) {
            case IN, NIN -> {
                if (!value.isArray()) throw LoupeException.invalid(path, op.wireName() + " needs an array, got " + Body.kind(value));
            }
            case GT, LT, GTE, LTE -> {
                if (!value.isNumber() && !value.isTextual()) {
                    throw LoupeException.invalid(path, op.wireName() + " needs a number or a string, got " + Body.kind(value));
                }
            }
            case STARTS_WITH, ENDS_WITH, REGEX, TEXT -> {
                if (!value.isTextual()) throw LoupeException.invalid(path, op.wireName() + " needs a string, got " + Body.kind(value));
            }
            case EXISTS, IS_NULL -> {
                if (!value.isBoolean() && !value.isNull()) {
                    throw LoupeException.invalid(path, op.wireName() + " needs true or false, got " + Body.kind(value));
                }
            }
            case EQ, NE, CONTAINS -> {
                if (value.isObject()) throw LoupeException.invalid(path, op.wireName() + " cannot compare with an object");
            }
        }
    }
}
