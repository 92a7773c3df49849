package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.document.FieldPath;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Evaluates a {@link FilterNode} against one document's JSON, for stages that filter
 * candidates already in memory ({@code attribute_filter}). Its semantics are those of the
 * index's translation, so a filter means the same before and after a search: dot paths
 * are {@link FieldPath}s (arrays traversed at any depth), a missing field never
 * matches, regular expressions are Lucene's and must match the whole value ({@link FilterRegex}), strings compare in
 * code point order (as the index's terms do), and {@code text} requires every word of the query ({@link Words})
 * among the words of the field's strings.
 */
public final class FilterMatcher {
    private FilterMatcher() {}

    public static boolean matches(FilterNode node, JsonNode doc) {
        return switch (node) {
            case FilterNode.All a -> true;
            case FilterNode.And and -> and.children().stream().allMatch(c -> matches(c, doc));
            // An empty group imposes nothing, as in the index's translation (Filters).
            case FilterNode.Or or -> or.children().isEmpty() || or.children().stream().anyMatch(c -> matches(c, doc));
            case FilterNode.Not not -> not.children().stream().noneMatch(c -> matches(c, doc));
            case FilterNode.Condition c -> condition(c, c.field().values(doc), c.field().exists(doc));
        };
    }

    /** The values at a dot path, as {@link FieldPath#values} reads them. */
    public static List<JsonNode> values(JsonNode doc, String path) {
        return FieldPath.parse(path).values(doc);
    }

    /**
     * One condition over a document's values at the field; {@code exists} as the index's
     * presence term has it (an empty array exists), which {@code ne}, {@code nin},
     * {@code exists} and {@code is_null: false} need.
     */
    private static boolean condition(FilterNode.Condition c, List<JsonNode> values, boolean exists) {
        JsonNode v = c.value();
        return switch (c.operator()) {
            case EQ -> values.stream().anyMatch(x -> same(x, v));
            case NE -> exists && values.stream().noneMatch(x -> same(x, v));
            case IN -> anyOf(values, v);
            case NIN -> exists && !anyOf(values, v);
            case GT -> values.stream().anyMatch(x -> compare(x, v) > 0);
            case GTE -> values.stream().anyMatch(x -> compare(x, v) >= 0 && compare(x, v) != Integer.MIN_VALUE);
            case LT -> values.stream().anyMatch(x -> compare(x, v) < 0 && compare(x, v) != Integer.MIN_VALUE);
            case LTE -> values.stream().anyMatch(x -> compare(x, v) <= 0 && compare(x, v) != Integer.MIN_VALUE);
            // A string value is a substring of a term (string or boolean); anything else is equality.
            case CONTAINS -> v.isTextual() ? values.stream().anyMatch(x -> isTerm(x) && term(x).contains(v.asText()))
                    : values.stream().anyMatch(x -> same(x, v));
            case STARTS_WITH -> values.stream().anyMatch(x -> isTerm(x) && term(x).startsWith(v.asText()));
            case ENDS_WITH -> values.stream().anyMatch(x -> isTerm(x) && term(x).endsWith(v.asText()));
            case REGEX -> values.stream().anyMatch(x -> isTerm(x) && c.regex().matches(term(x)));
            case EXISTS -> v.isBoolean() && !v.asBoolean() ? !exists : exists;
            case IS_NULL -> {
                boolean isNull = values.stream().anyMatch(JsonNode::isNull);
                yield v.isBoolean() && !v.asBoolean() ? exists && !isNull : isNull;
            }
            case TEXT -> {
                // The words of all the field's strings together, as one multi-valued full-text field holds them.
                List<String> wanted = Words.of(v.asText());
                Set<String> held = new HashSet<>();
                for (JsonNode x : values) if (x.isTextual()) held.addAll(Words.of(x.asText()));
                yield !wanted.isEmpty() && held.containsAll(wanted);
            }
        };
    }

    /** Whether the index keeps {@code x} as a keyword term: strings and booleans (as their text). */
    private static boolean isTerm(JsonNode x) {
        return x.isTextual() || x.isBoolean();
    }

    /** A string or boolean as the index's keyword term holds it ({@link FilterValues#term}). */
    private static String term(JsonNode x) {
        return FilterValues.term(x.asText());
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
        if (v.isArray()) return anyOf(List.of(x), v);
        if (x.isNull() || v.isObject()) return false;
        // Double.compare, not ==: the index keeps -0.0 and 0.0 apart, as its ranges do.
        if (x.isNumber()) return FilterValues.asNumber(v).map(n -> Double.compare(n, x.asDouble()) == 0).orElse(false);
        return isTerm(x) && term(x).equals(FilterValues.asText(v));
    }

    /**
     * Numbers numerically, strings (and booleans, as their text) lexicographically, the filter
     * value coerced to the document value's type; {@link Integer#MIN_VALUE} when incomparable.
     */
    private static int compare(JsonNode x, JsonNode v) {
        if (x.isNumber()) return FilterValues.asNumber(v).map(n -> Double.compare(x.asDouble(), n)).orElse(Integer.MIN_VALUE);
        if (isTerm(x) && v.isValueNode() && !v.isNull()) {
            return Integer.signum(FilterValues.compareText(term(x), FilterValues.asText(v)));
        }
        return Integer.MIN_VALUE;
    }
}
