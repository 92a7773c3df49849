package dev.loupe.index.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterValues;
import java.util.List;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.AutomatonQuery;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;

/** Translates a {@link FilterNode} into a Lucene query over the fields of {@link FieldSchema}. */
final class LuceneFilter {
    private LuceneFilter() {}

    static Query toQuery(FilterNode node) {
        return switch (node) {
            case FilterNode.All a -> new MatchAllDocsQuery();
            case FilterNode.And and -> combine(and.children(), Occur.FILTER);
            case FilterNode.Or or -> combine(or.children(), Occur.SHOULD);
            case FilterNode.Not not -> {
                BooleanQuery.Builder b = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER);
                for (FilterNode child : not.children()) b.add(toQuery(child), Occur.MUST_NOT);
                yield b.build();
            }
            case FilterNode.Condition c -> condition(c);
        };
    }

    private static Query combine(List<FilterNode> children, Occur occur) {
        if (children.isEmpty()) return new MatchAllDocsQuery();
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (FilterNode child : children) b.add(toQuery(child), occur);
        return b.build();
    }

    private static Query condition(FilterNode.Condition c) {
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
                    ? new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(FieldSchema.STRING + f, v.asText())), Occur.SHOULD)
                        .add(new WildcardQuery(new Term(FieldSchema.STRING + f, "*" + escapeWildcard(v.asText()) + "*")), Occur.SHOULD)
                        .build()
                    : equal(f, v);
            case STARTS_WITH -> new PrefixQuery(new Term(FieldSchema.STRING + f, v.asText()));
            case ENDS_WITH -> new WildcardQuery(new Term(FieldSchema.STRING + f, "*" + escapeWildcard(v.asText())));
            case REGEX -> regex(c, FieldSchema.STRING + f);
            case EXISTS -> v.isBoolean() && !v.asBoolean() ? not(exists(f)) : exists(f);
            case IS_NULL -> v.isBoolean() && !v.asBoolean()
                    ? and(exists(f), not(new TermQuery(new Term(FieldSchema.NULL, f))))
                    : new TermQuery(new Term(FieldSchema.NULL, f));
            case TEXT -> text(f, v.asText());
        };
    }

    /**
     * The condition's compiled pattern as a query: the automaton {@code FilterMatcher} runs in
     * memory, so the index and the matcher cannot read a pattern differently.
     */
    private static Query regex(FilterNode.Condition c, String field) {
        if (c.regex() == null) throw new IllegalStateException("regex on " + c.field() + " has no value yet");
        return new AutomatonQuery(new Term(field, c.regex().pattern()), c.regex().automaton());
    }

    /** Number fields compare numerically and string/boolean fields textually, the value coerced to each ({@link FilterValues}). */
    private static Query equal(String f, JsonNode v) {
        if (v == null || v.isNull()) return new TermQuery(new Term(FieldSchema.NULL, f));
        if (v.isArray()) return anyOf(f, v);
        Query text = new TermQuery(new Term(FieldSchema.STRING + f, FilterValues.asText(v)));
        return FilterValues.asNumber(v)
                .<Query>map(n -> either(DoubleField.newExactQuery(FieldSchema.NUMBER + f, n), text))
                .orElse(text);
    }

    private static Query anyOf(String f, JsonNode values) {
        if (values.isEmpty()) return new MatchNoDocsQuery("empty 'in' list");
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (JsonNode v : values) b.add(equal(f, v), Occur.SHOULD);
        return b.build();
    }

    private static Query range(String f, JsonNode v, boolean inclusive, boolean lowerBound) {
        String s = FilterValues.asText(v);
        Query text = lowerBound
                ? TermRangeQuery.newStringRange(FieldSchema.STRING + f, s, null, inclusive, true)
                : TermRangeQuery.newStringRange(FieldSchema.STRING + f, null, s, true, inclusive);
        return FilterValues.asNumber(v).<Query>map(x -> {
            double bound = inclusive ? x : (lowerBound ? Math.nextUp(x) : Math.nextDown(x));
            return either(lowerBound
                    ? DoubleField.newRangeQuery(FieldSchema.NUMBER + f, bound, Double.POSITIVE_INFINITY)
                    : DoubleField.newRangeQuery(FieldSchema.NUMBER + f, Double.NEGATIVE_INFINITY, bound), text);
        }).orElse(text);
    }

    private static Query either(Query a, Query b) {
        return new BooleanQuery.Builder().add(a, Occur.SHOULD).add(b, Occur.SHOULD).build();
    }

    private static Query text(String f, String text) {
        List<String> terms = FieldSchema.analyze(text);
        if (terms.isEmpty()) return new MatchNoDocsQuery("no searchable terms");
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (String t : terms) b.add(new TermQuery(new Term(FieldSchema.TEXT + f, t)), Occur.MUST);
        return b.build();
    }

    private static Query exists(String f) {
        return new TermQuery(new Term(FieldSchema.HAS, f));
    }

    private static Query not(Query q) {
        return new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER).add(q, Occur.MUST_NOT).build();
    }

    private static Query and(Query a, Query b) {
        return new BooleanQuery.Builder().add(a, Occur.FILTER).add(b, Occur.FILTER).build();
    }

    private static String escapeWildcard(String s) {
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
    }
}
