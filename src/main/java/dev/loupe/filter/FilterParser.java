package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.ApiException;
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
 *   <li>a value {@code {"type": "dynamic", "field": "inputs.user_id"}} taken from the execution inputs.</li>
 * </ul>
 * Errors are 422s whose field is the JSON path of the offending part.
 */
public final class FilterParser {
    private static final List<String> LOGICAL = List.of("AND", "OR", "NOT");

    private final Function<String, JsonNode> dynamicValues;

    /** @param dynamicValues resolves {@code inputs.x} paths; null where no inputs exist */
    public FilterParser(Function<String, JsonNode> dynamicValues) {
        this.dynamicValues = dynamicValues;
    }

    public static FilterNode parseStatic(JsonNode node, String path) {
        return new FilterParser(null).parse(node, path);
    }

    public FilterNode parse(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) return FilterNode.ALL;
        if (!node.isObject()) throw ApiException.invalid(path, "a filter must be a JSON object, got " + Body.kind(node));
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
        if (!arr.isArray()) throw ApiException.invalid(path, "must be an array of filters, got " + Body.kind(arr));
        List<FilterNode> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) out.add(parse(arr.get(i), path + "[" + i + "]"));
        return out;
    }

    private FilterNode condition(JsonNode node, String path) {
        JsonNode field = node.get("field");
        if (field == null || !field.isTextual() || field.asText().isBlank()) {
            throw ApiException.invalid(path + ".field", "must be a non-empty string");
        }
        String opName = node.path("operator").asText("eq");
        FilterNode.Operator op;
        try {
            op = FilterNode.Operator.valueOf(opName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(path + ".operator", "unknown operator '" + opName + "'; expected one of "
                    + Arrays.stream(FilterNode.Operator.values()).map(FilterNode.Operator::wireName).toList());
        }
        JsonNode value = value(node.get("value"), path + ".value");
        checkValue(op, value, path + ".value");
        return new FilterNode.Condition(field.asText(), op, value);
    }

    private JsonNode value(JsonNode v, String path) {
        if (v != null && v.isObject() && "dynamic".equals(v.path("type").asText())) {
            String ref = v.path("field").asText("");
            if (ref.isBlank()) throw ApiException.invalid(path + ".field", "a dynamic value must name its field");
            if (dynamicValues == null) throw ApiException.invalid(path, "dynamic values are only allowed where inputs exist");
            JsonNode resolved = dynamicValues.apply(ref);
            if (resolved == null) throw ApiException.invalid(path, "dynamic value '" + ref + "' is not among the inputs");
            return resolved;
        }
        return v == null ? com.fasterxml.jackson.databind.node.NullNode.instance : v;
    }

    private static void checkValue(FilterNode.Operator op, JsonNode value, String path) {
        switch (op) {
            case IN, NIN -> {
                if (!value.isArray()) throw ApiException.invalid(path, op.wireName() + " needs an array, got " + Body.kind(value));
            }
            case GT, LT, GTE, LTE -> {
                if (!value.isNumber() && !value.isTextual()) {
                    throw ApiException.invalid(path, op.wireName() + " needs a number or a string, got " + Body.kind(value));
                }
            }
            case STARTS_WITH, ENDS_WITH, REGEX, TEXT -> {
                if (!value.isTextual()) throw ApiException.invalid(path, op.wireName() + " needs a string, got " + Body.kind(value));
                if (op == FilterNode.Operator.REGEX) {
                    try {
                        java.util.regex.Pattern.compile(value.asText());
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw ApiException.invalid(path, "invalid regular expression: " + e.getDescription());
                    }
                }
            }
            case EXISTS, IS_NULL -> {
                if (!value.isBoolean() && !value.isNull()) {
                    throw ApiException.invalid(path, op.wireName() + " needs true or false, got " + Body.kind(value));
                }
            }
            case EQ, NE, CONTAINS -> {
                if (value.isObject()) throw ApiException.invalid(path, op.wireName() + " cannot compare with an object");
            }
        }
    }
}
