package dev.loupe.index.lucene;

import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterPrimitives;
import dev.loupe.filter.FilterRegex;
import dev.loupe.filter.Filters;
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

/**
 * A {@link FilterNode} as a Lucene query over the fields of {@link FieldSchema}: the primitives
 * {@link Filters#translate} builds every operator from, which decides what each one means.
 */
final class LuceneFilter implements FilterPrimitives<Query> {
    private static final LuceneFilter PRIMITIVES = new LuceneFilter();

    private LuceneFilter() {}

    static Query toQuery(FilterNode node) {
        return Filters.translate(node, PRIMITIVES);
    }

    @Override
    public Query all() {
        return new MatchAllDocsQuery();
    }

    @Override
    public Query none(String why) {
        return new MatchNoDocsQuery(why);
    }

    @Override
    public Query and(List<Query> clauses) {
        return bool(clauses, Occur.FILTER);
    }

    @Override
    public Query or(List<Query> clauses) {
        return bool(clauses, Occur.SHOULD);
    }

    private static Query bool(List<Query> clauses, Occur occur) {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Query q : clauses) b.add(q, occur);
        return b.build();
    }

    /** A purely negative boolean query matches nothing in Lucene, so the negation is of every document. */
    @Override
    public Query not(Query q) {
        return new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER).add(q, Occur.MUST_NOT).build();
    }

    @Override
    public Query exists(String field) {
        return new TermQuery(new Term(FieldSchema.HAS, field));
    }

    @Override
    public Query isNull(String field) {
        return new TermQuery(new Term(FieldSchema.NULL, field));
    }

    @Override
    public Query stringTerm(String field, String value) {
        return new TermQuery(new Term(FieldSchema.STRING + field, value));
    }

    @Override
    public Query stringRange(String field, String lower, boolean lowerInclusive, String upper, boolean upperInclusive) {
        return TermRangeQuery.newStringRange(FieldSchema.STRING + field, lower, upper, lowerInclusive, upperInclusive);
    }

    @Override
    public Query stringPrefix(String field, String prefix) {
        return new PrefixQuery(new Term(FieldSchema.STRING + field, prefix));
    }

    @Override
    public Query stringSuffix(String field, String suffix) {
        return new WildcardQuery(new Term(FieldSchema.STRING + field, "*" + escapeWildcard(suffix)));
    }

    @Override
    public Query stringInfix(String field, String infix) {
        return new WildcardQuery(new Term(FieldSchema.STRING + field, "*" + escapeWildcard(infix) + "*"));
    }

    /**
     * The condition's compiled pattern as a query: the automaton {@code FilterMatcher} runs in
     * memory, so the index and the matcher cannot read a pattern differently.
     */
    @Override
    public Query stringRegex(String field, FilterRegex regex) {
        return new AutomatonQuery(new Term(FieldSchema.STRING + field, regex.pattern()), regex.automaton());
    }

    @Override
    public Query numberEquals(String field, double value) {
        return DoubleField.newExactQuery(FieldSchema.NUMBER + field, value);
    }

    /** Points ranges are inclusive: an exclusive bound is the next double beyond it. */
    @Override
    public Query numberRange(String field, Double lower, boolean lowerInclusive, Double upper, boolean upperInclusive) {
        double lo = lower == null ? Double.NEGATIVE_INFINITY : lowerInclusive ? lower : Math.nextUp(lower);
        double hi = upper == null ? Double.POSITIVE_INFINITY : upperInclusive ? upper : Math.nextDown(upper);
        return DoubleField.newRangeQuery(FieldSchema.NUMBER + field, lo, hi);
    }

    @Override
    public Query word(String field, String word) {
        return new TermQuery(new Term(FieldSchema.TEXT + field, word));
    }

    private static String escapeWildcard(String s) {
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
    }
}
