package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evaluates a {@link FilterNode} against one document's JSON, for stages that filter
 * candidates already in memory ({@code attribute_filter}). Its semantics are those of the
 * index's translation, so a filter means the same before and after a search: dot paths
 * reach into objects, array elements are matched one by one, a missing field never
 * matches, regular expressions are Lucene's and must match the whole value ({@link FilterRegex}), and {@code text} requires
 * every word of the query.
 */
public final class FilterMatcher {
    private FilterMatcher() {}

    public static boolean matches(FilterNode node, JsonNode doc) {
        return switch (node) {
            case FilterNode.All a -> true;
            case FilterNode.And and -> and.children().stream().allMatch(c -> matches(c, doc));
            case FilterNode.Or or -> or.children().stream().anyMatch(c -> matches(c, doc));
            case FilterNode.Not not -> not.children().stream().noneMatch(c -> matches(c, doc));
            case FilterNode.Condition c -> condition(c, values(doc, c.field()));
        };
    }

    /** The scalar values at a dot path: array elements one by one, nested objects followed. */
    public static List<JsonNode> values(JsonNode doc, String path) {
        List<JsonNode> out = new ArrayList<>();
        collect(doc, path.split("\\."), 0, out);
        return out;
    }

    private static void collect(JsonNode node, String[] parts, int i, List<JsonNode> out) {
        if (node == null || node.isMissingNode()) return;
        if (node.isArray()) {
            for (JsonNode item : node) collect(item, parts, i, out);
            return;
        }
        if (i == parts.length) {
            out.add(node);
            return;
        }
        if (node.isObject()) collect(node.get(parts[i]), parts, i + 1, out);
    }

    private static boolean condition(FilterNode.Condition c, List<JsonNode> values) {
        JsonNode v = c.value();
        boolean present = !values.isEmpty();
        return switch (c.operator()) {
            case EQ -> v.isArray() ? anyOf(values, v) : values.stream().anyMatch(x -> same(x, v));
            case NE -> present && values.stream().noneMatch(x -> same(x, v));
            case IN -> anyOf(values, v);
            case NIN -> present && !anyOf(values, v);
            case GT -> values.stream().anyMatch(x -> compare(x, v) > 0);
            case GTE -> values.stream().anyMatch(x -> compare(x, v) >= 0 && compare(x, v) != Integer.MIN_VALUE);
            case LT -> values.stream().anyMatch(x -> compare(x, v) < 0 && compare(x, v) != Integer.MIN_VALUE);
            case LTE -> values.stream().anyMatch(x -> compare(x, v) <= 0 && compare(x, v) != Integer.MIN_VALUE);
            case CONTAINS -> values.stream().anyMatch(x -> same(x, v) || (v.isTextual() && x.isTextual() && x.asText().contains(v.asText())));
            case STARTS_WITH -> values.stream().anyMatch(x -> x.isTextual() && x.asText().startsWith(v.asText()));
            case ENDS_WITH -> values.stream().anyMatch(x -> x.isTextual() && x.asText().endsWith(v.asText()));
            case REGEX -> {
                FilterRegex regex = c.regex();
                if (regex == null) throw new IllegalStateException("regex on " + c.field() + " has no value yet");
                yield values.stream().anyMatch(x -> x.isTextual() && regex.matches(x.asText()));
            }
            case EXISTS -> v.isBoolean() && !v.asBoolean() ? !present : present;
            case IS_NULL -> {
                boolean isNull = values.stream().anyMatch(JsonNode::isNull);
                yield v.isBoolean() && !v.asBoolean() ? present && !isNull : isNull;
            }
            case TEXT -> {
                List<String> wanted = words(v.asText());
                yield !wanted.isEmpty() && values.stream().anyMatch(x -> x.isTextual() && words(x.asText()).containsAll(wanted));
            }
        };
    }

    private static boolean anyOf(List<JsonNode> values, JsonNode list) {
        for (JsonNode candidate : list) {
            for (JsonNode x : values) if (same(x, candidate)) return true;
        }
        return false;
    }

    /** Whether document value {@code x} equals filter value {@code v} coerced to {@code x}'s type ({@link FilterValues}). */
    private static boolean same(JsonNode x, JsonNode v) {
        if (v == null || v.isNull()) return x.isNull();
        if (x.isNull() || v.isObject() || v.isArray()) return false;
        if (x.isNumber()) return FilterValues.asNumber(v).map(n -> n == x.asDouble()).orElse(false);
        return (x.isTextual() || x.isBoolean()) && x.asText().equals(FilterValues.asText(v));
    }

    /**
     * Numbers numerically, strings (and booleans, as their text) lexicographically, the filter
     * value coerced to the document value's type; {@link Integer#MIN_VALUE} when incomparable.
     */
    private static int compare(JsonNode x, JsonNode v) {
        if (x.isNumber()) return FilterValues.asNumber(v).map(n -> Double.compare(x.asDouble(), n)).orElse(Integer.MIN_VALUE);
        if ((x.isTextual() || x.isBoolean()) && v.isValueNode() && !v.isNull()) {
            return Integer.signum(x.asText().compareTo(FilterValues.asText(v)));
        }
        return Integer.MIN_VALUE;
    }

    /** Lower-cased letter-and-digit runs, as the index's full-text fields see words. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (!w.isEmpty()) out.add(w);
        return out;
    }
}
