package dev.loupe.index.solr;

import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterPrimitives;
import dev.loupe.filter.FilterRegex;
import dev.loupe.filter.Filters;
import java.util.ArrayList;
import java.util.List;
import org.apache.solr.client.solrj.util.ClientUtils;

/**
 * A {@link FilterNode} in Solr's standard query syntax over {@link SolrDocumentIndex}'s fields: the
 * primitives {@link Filters#translate} builds every operator from, over the same field kinds as
 * the embedded index ({@code s.}, {@code n.}, {@code t.}, {@code _has}, {@code _null}). Every user
 * value and field path is escaped ({@link ClientUtils#escapeQueryChars} for terms, backslash-escaped
 * quotes for range bounds), so no value can change the query's shape. Every negation carries
 * {@code *:*}: a purely negative clause matches nothing in Lucene's syntax.
 */
final class SolrFilter implements FilterPrimitives<String> {
    static final String MATCH_ALL = "*:*";
    static final String MATCH_NONE = "(*:* -*:*)";
    private static final SolrFilter PRIMITIVES = new SolrFilter();

    private SolrFilter() {}

    /** The query as an {@code fq} value, parsed with the standard parser whatever the request's defaults. */
    static String toFq(FilterNode node) {
        return "{!lucene q.op=OR}" + toQuery(node);
    }

    static String toQuery(FilterNode node) {
        return Filters.translate(node, PRIMITIVES);
    }

    @Override
    public String all() {
        return MATCH_ALL;
    }

    @Override
    public String none(String why) {
        return MATCH_NONE;
    }

    @Override
    public String and(List<String> clauses) {
        return group(clauses, "+");
    }

    @Override
    public String or(List<String> clauses) {
        return group(clauses, "");
    }

    private static String group(List<String> clauses, String occur) {
        List<String> parts = new ArrayList<>();
        for (String q : clauses) parts.add(occur + "(" + q + ")");
        return "(" + String.join(" ", parts) + ")";
    }

    @Override
    public String not(String q) {
        return "(*:* -(" + q + "))";
    }

    @Override
    public String exists(String field) {
        return term(SolrDocumentIndex.HAS, field);
    }

    @Override
    public String isNull(String field) {
        return term(SolrDocumentIndex.NULL, field);
    }

    @Override
    public String stringTerm(String field, String value) {
        return term(SolrDocumentIndex.STRING + field, value);
    }

    @Override
    public String stringRange(String field, String lower, boolean lowerInclusive, String upper, boolean upperInclusive) {
        return range(SolrDocumentIndex.STRING + field, lower == null ? "*" : quoted(lower), lowerInclusive, upper == null ? "*" : quoted(upper),
                upperInclusive);
    }

    @Override
    public String stringPrefix(String field, String prefix) {
        return field(SolrDocumentIndex.STRING + field) + ":" + wildcardText(prefix) + "*";
    }

    @Override
    public String stringSuffix(String field, String suffix) {
        return field(SolrDocumentIndex.STRING + field) + ":*" + wildcardText(suffix);
    }

    @Override
    public String stringInfix(String field, String infix) {
        return field(SolrDocumentIndex.STRING + field) + ":*" + wildcardText(infix) + "*";
    }

    /**
     * Lucene's regular-expression query over the keyword terms: Solr parses {@code /…/} into the
     * same {@code RegexpQuery} (all syntax flags) that {@code FilterRegex} compiles for memory;
     * only an unescaped {@code /}, which would end the expression, is escaped (it means itself either way).
     */
    @Override
    public String stringRegex(String field, FilterRegex regex) {
        String p = regex.pattern();
        StringBuilder b = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < p.length(); i++) {
            char ch = p.charAt(i);
            if (ch == '/' && !escaped) b.append('\\');
            b.append(ch);
            escaped = ch == '\\' && !escaped;
        }
        return field(SolrDocumentIndex.STRING + field) + ":/" + b + "/";
    }

    @Override
    public String numberEquals(String field, double value) {
        return field(SolrDocumentIndex.NUMBER + field) + ":[" + number(value) + " TO " + number(value) + "]";
    }

    @Override
    public String numberRange(String field, Double lower, boolean lowerInclusive, Double upper, boolean upperInclusive) {
        return range(SolrDocumentIndex.NUMBER + field, lower == null ? "*" : number(lower), lowerInclusive, upper == null ? "*" : number(upper),
                upperInclusive);
    }

    @Override
    public String word(String field, String word) {
        return field(SolrDocumentIndex.TEXT + field) + ":" + ClientUtils.escapeQueryChars(word);
    }

    /** An open bound ({@code *}) is written inclusive, as Solr reads {@code {x TO *]} and {@code [* TO x}}. */
    private static String range(String field, String lower, boolean lowerInclusive, String upper, boolean upperInclusive) {
        return field(field) + ":" + (lowerInclusive || lower.equals("*") ? "[" : "{") + lower + " TO " + upper
                + (upperInclusive || upper.equals("*") ? "]" : "}");
    }

    /** One exact term; the empty string as a quoted phrase, which a keyword field reads as the empty term. */
    static String term(String field, String value) {
        return field(field) + ":" + (value.isEmpty() ? "\"\"" : ClientUtils.escapeQueryChars(value));
    }

    static String field(String name) {
        return ClientUtils.escapeQueryChars(name);
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
