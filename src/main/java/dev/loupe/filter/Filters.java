package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The meaning of every filter operator, once, for every index ({@link FilterPrimitives}); the
 * in-memory {@link FilterMatcher} gives the same meaning to one document. The rules:
 * <ul>
 * <li>A missing field matches no condition, so {@code ne}, {@code nin} and {@code is_null: false}
 *     also require the field to exist; {@code exists: false} is the one that matches it missing.
 * <li>Values are coerced to the field ({@link FilterValues}): a value that reads as a number
 *     ({@code 42} or {@code "42"}) meets number fields numerically and string fields as its text
 *     ({@code "42"}); any other value meets string fields only. Comparisons are exact and
 *     case-sensitive ({@code case_sensitive} is accepted and ignored); {@code text} alone is by
 *     lower-cased words, all of which must be there.
 * <li>{@code eq} with null is {@code is_null}; with an array it is {@code in}. {@code in} with an
 *     empty list matches nothing, and so {@code nin} with one matches every document that has the field.
 * <li>{@code contains} of a string: the string is the value or inside it; of anything else: {@code eq}.
 * <li>A logical group with no children imposes nothing: {@code {"AND": []}}, {@code {"OR": []}}
 *     and {@code {"NOT": []}} match every document, like the empty filter {@code {}}.
 * <li>{@code text} with no word in it (only punctuation) matches nothing.
 * </ul>
 */
public final class Filters {
    private Filters() {}

    public static <Q> Q translate(FilterNode node, FilterPrimitives<Q> p) {
        return switch (node) {
            case FilterNode.All a -> p.all();
            case FilterNode.And and -> and.children().isEmpty() ? p.all() : p.and(each(and.children(), p));
            case FilterNode.Or or -> or.children().isEmpty() ? p.all() : p.or(each(or.children(), p));
            case FilterNode.Not not -> {
                if (not.children().isEmpty()) yield p.all();
                List<Q> any = each(not.children(), p);
                yield p.not(any.size() == 1 ? any.getFirst() : p.or(any));
            }
            case FilterNode.Condition c -> condition(c, p);
        };
    }

    private static <Q> List<Q> each(List<FilterNode> children, FilterPrimitives<Q> p) {
        List<Q> out = new ArrayList<>(children.size());
        for (FilterNode child : children) out.add(translate(child, p));
        return out;
    }

    private static <Q> Q condition(FilterNode.Condition c, FilterPrimitives<Q> p) {
        String f = c.field().toString();
        JsonNode v = c.value();
        return switch (c.operator()) {
            case EQ -> equal(f, v, p);
            case NE -> present(f, p.not(equal(f, v, p)), p);
            case IN -> anyOf(f, v, p);
            case NIN -> present(f, p.not(anyOf(f, v, p)), p);
            case GT -> range(f, v, false, true, p);
            case GTE -> range(f, v, true, true, p);
            case LT -> range(f, v, false, false, p);
            case LTE -> range(f, v, true, false, p);
            case CONTAINS -> v.isTextual() ? p.or(List.of(p.stringTerm(f, v.asText()), p.stringInfix(f, v.asText()))) : equal(f, v, p);
            case STARTS_WITH -> p.stringPrefix(f, v.asText());
            case ENDS_WITH -> p.stringSuffix(f, v.asText());
            case REGEX -> {
                if (c.regex() == null) throw new IllegalStateException("regex on " + c.field() + " has no value yet");
                yield p.stringRegex(f, c.regex());
            }
            case EXISTS -> v.isBoolean() && !v.asBoolean() ? p.not(p.exists(f)) : p.exists(f);
            case IS_NULL -> v.isBoolean() && !v.asBoolean() ? present(f, p.not(p.isNull(f)), p) : p.isNull(f);
            case TEXT -> text(f, v.asText(), p);
        };
    }

    /** {@code q} on documents that have the field: what a negated condition means, since a missing field matches none. */
    private static <Q> Q present(String f, Q q, FilterPrimitives<Q> p) {
        return p.and(List.of(p.exists(f), q));
    }

    private static <Q> Q equal(String f, JsonNode v, FilterPrimitives<Q> p) {
        if (v == null || v.isNull()) return p.isNull(f);
        if (v.isArray()) return anyOf(f, v, p);
        Q text = p.stringTerm(f, FilterValues.asText(v));
        return FilterValues.asNumber(v).map(n -> p.or(List.of(p.numberEquals(f, n), text))).orElse(text);
    }

    private static <Q> Q anyOf(String f, JsonNode values, FilterPrimitives<Q> p) {
        if (values.isEmpty()) return p.none("empty 'in' list");
        List<Q> each = new ArrayList<>();
        for (JsonNode v : values) each.add(equal(f, v, p));
        return p.or(each);
    }

    private static <Q> Q range(String f, JsonNode v, boolean inclusive, boolean lowerBound, FilterPrimitives<Q> p) {
        String s = FilterValues.asText(v);
        Q text = lowerBound ? p.stringRange(f, s, inclusive, null, true) : p.stringRange(f, null, true, s, inclusive);
        return FilterValues.asNumber(v).map(x -> p.or(List.of(lowerBound
                ? p.numberRange(f, x, inclusive, null, true)
                : p.numberRange(f, null, true, x, inclusive), text))).orElse(text);
    }

    private static <Q> Q text(String f, String text, FilterPrimitives<Q> p) {
        List<String> words = Words.of(text);
        if (words.isEmpty()) return p.none("no searchable terms");
        List<Q> each = new ArrayList<>();
        for (String w : words) each.add(p.word(f, w));
        return p.and(each);
    }
}
