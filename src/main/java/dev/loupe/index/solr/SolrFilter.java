package dev.loupe.index.solr;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterValues;
import dev.loupe.filter.Words;
import java.util.ArrayList;
import java.util.List;
import org.apache.solr.client.solrj.util.ClientUtils;

/**
 * Translates a {@link FilterNode} into Solr's standard query syntax over {@link SolrDocumentIndex}'s
 * fields, with the meaning {@code LuceneFilter} gives it over the embedded index's: the same field
 * kinds ({@code s.}, {@code n.}, {@code t.}, {@code _has}, {@code _null}) and the same coercions
 * ({@link FilterValues}). Every user value and field path is escaped ({@link ClientUtils#escapeQueryChars}
 * for terms, backslash-escaped quotes for range bounds), so no value can change the query's shape.
 * Every negation carries {@code *:*}: a purely negative clause matches nothing in Lucene's syntax.
 */
final class SolrFilter {
    static final String MATCH_ALL = "*:*";
    static final String MATCH_NONE = "(*:* -*:*)";

    private SolrFilter() {}

    /** The query as an {@code fq} value, parsed with the standard parser whatever the request's defaults. */
    static String toFq(FilterNode node) {
        return "{!lucene q.op=OR}" + toQuery(node);
    }

    static String toQuery(FilterNode node) {
        return switch (node) {
            case FilterNode.All a -> MATCH_ALL;
            case FilterNode.And and -> combine(and.children(), "+");
            case FilterNode.Or or -> combine(or.children(), "");
            case FilterNode.Not not -> {
                StringBuilder b = new StringBuilder("(*:*");
                for (FilterNode child : not.children()) b.append(" -(").append(toQuery(child)).append(')');
                yield b.append(')').toString();
            }
            case FilterNode.Condition c -> condition(c);
        };
    }

    private static String combine(List<FilterNode> children, String occur) {
        if (children.isEmpty()) return MATCH_ALL;
        List<String> parts = new ArrayList<>();
        for (FilterNode child : children) parts.add(occur + "(" + toQuery(child) + ")");
        return "(" + String.join(" ", parts) + ")";
    }

    private static String condition(FilterNode.Condition c) {
        String f = c.field().toString();
        JsonNode v = c.value();
        return switch (c.operator()) {
            case EQ -> equal(f, v);
            case NE -> and(exists(f), not(equal(f, v)));
            case IN -> anyOf(f, v);
            case NIN -> and(exists(f), not(anyOf(f, v)));
            case GT -> range(f, v, false, true);
            case GTE -> range(f, v, true, true);
            case LT -> range(f, v, false, false);
            case LTE -> range(f, v, true, false);
            case CONTAINS -> v.isTextual()
                    ? either(term(SolrDocumentIndex.STRING + f, v.asText()), field(SolrDocumentIndex.STRING + f) + ":*" + wildcardText(v.asText()) + "*")
                    : equal(f, v);
            case STARTS_WITH -> field(SolrDocumentIndex.STRING + f) + ":" + wildcardText(v.asText()) + "*";
            case ENDS_WITH -> field(SolrDocumentIndex.STRING + f) + ":*" + wildcardText(v.asText());
            case REGEX -> regex(c, SolrDocumentIndex.STRING + f);
            case EXISTS -> v.isBoolean() && !v.asBoolean() ? not(exists(f)) : exists(f);
            case IS_NULL -> v.isBoolean() && !v.asBoolean()
                    ? and(exists(f), not(term(SolrDocumentIndex.NULL, f)))
                    : term(SolrDocumentIndex.NULL, f);
            case TEXT -> text(f, v.asText());
        };
    }

    /**
     * Lucene's regular-expression query over the keyword terms: Solr parses {@code /…/} into the
     * same {@code RegexpQuery} (all syntax flags) that {@code FilterRegex} compiles for memory;
     * only an unescaped {@code /}, which would end the expression, is escaped (it means itself either way).
     */
    private static String regex(FilterNode.Condition c, String field) {
        if (c.regex() == null) throw new IllegalStateException("regex on " + c.field() + " has no value yet");
        String p = c.regex().pattern();
        StringBuilder b = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            if (ch == '/' && !escaped) b.append('\\');
            b.append(ch);
            escaped = ch == '\\' && !escaped;
        }
        return field(field) + ":/" + b + "/";
    }

    /** Number fields compare numerically and string/boolean fields textually, the value coerced to each ({@link FilterValues}). */
    private static String equal(String f, JsonNode v) {
        if (v == null || v.isNull()) return term(SolrDocumentIndex.NULL, f);
        if (v.isArray()) return anyOf(f, v);
        String text = term(SolrDocumentIndex.STRING + f, FilterValues.asText(v));
        return FilterValues.asNumber(v)
                .map(n -> either(field(SolrDocumentIndex.NUMBER + f) + ":[" + number(n) + " TO " + number(n) + "]", text))
                .orElse(text);
    }

    private static String anyOf(String f, JsonNode values) {
        if (values.isEmpty()) return MATCH_NONE;
        List<String> parts = new ArrayList<>();
        for (JsonNode v : values) parts.add("(" + equal(f, v) + ")");
        return "(" + String.join(" ", parts) + ")";
    }

    private static String range(String f, JsonNode v, boolean inclusive, boolean lowerBound) {
        String s = quoted(FilterValues.asText(v));
        String text = field(SolrDocumentIndex.STRING + f) + ":" + (lowerBound
                ? (inclusive ? "[" : "{") + s + " TO *]"
                : "[* TO " + s + (inclusive ? "]" : "}"));
        return FilterValues.asNumber(v).map(x -> {
            String n = number(x);
            String numeric = field(SolrDocumentIndex.NUMBER + f) + ":" + (lowerBound
                    ? (inclusive ? "[" : "{") + n + " TO *]"
                    : "[* TO " + n + (inclusive ? "]" : "}"));
            return either(numeric, text);
        }).orElse(text);
    }

    private static String text(String f, String text) {
        List<String> terms = Words.of(text);
        if (terms.isEmpty()) return MATCH_NONE;
        List<String> parts = new ArrayList<>();
        for (String t : terms) parts.add("+" + field(SolrDocumentIndex.TEXT + f) + ":" + ClientUtils.escapeQueryChars(t));
        return "(" + String.join(" ", parts) + ")";
    }

    private static String exists(String f) {
        return term(SolrDocumentIndex.HAS, f);
    }

    /** One exact term; the empty string as a quoted phrase, which a keyword field reads as the empty term. */
    static String term(String field, String value) {
        return field(field) + ":" + (value.isEmpty() ? "\"\"" : ClientUtils.escapeQueryChars(value));
    }

    static String field(String name) {
        return ClientUtils.escapeQueryChars(name);
    }

    private static String either(String a, String b) {
        return "((" + a + ") (" + b + "))";
    }

    private static String not(String q) {
        return "(*:* -(" + q + "))";
    }

    private static String and(String a, String b) {
        return "(+(" + a + ") +(" + b + "))";
    }

    /** A double as a quoted range bound: quoted so that a leading minus is not read as an operator. */
    private static String number(double d) {
        return "\"" + d + "\"";
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Text inside a wildcard term: escaped, so that its own {@code *} and {@code ?} mean themselves. */
    private static String wildcardText(String s) {
        return ClientUtils.escapeQueryChars(s);
    }
}
