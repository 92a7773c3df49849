package dev.loupe.index.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.BitSetIterator;

/**
 * A filter whose weight evaluates it at most once per segment and replays the matches after.
 * Lucene's kNN query asks a segment's filter for its matches once per pass, and with optimistic
 * per-segment collection it may search a segment a second time, seeded by the first: without
 * this, that second pass would run the filter again. One weight serves one search, so the
 * memory is one bit set per segment for the length of a search, which the graph walk builds
 * from these matches anyway.
 */
final class OncePerSegmentFilter extends Query {
    private final Query filter;

    OncePerSegmentFilter(Query filter) {
        this.filter = filter;
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
        Query rewritten = filter.rewrite(searcher);
        return rewritten == filter ? this : new OncePerSegmentFilter(rewritten);
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        // through the searcher, so that the query cache may still hold the filter's matches between searches
        Weight inner = searcher.createWeight(filter, ScoreMode.COMPLETE_NO_SCORES, 1f);
        Map<LeafReaderContext, Optional<BitSet>> matches = new ConcurrentHashMap<>();
        return new ConstantScoreWeight(this, boost) {
            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
                BitSet docs;
                try {
                    docs = matches.computeIfAbsent(context, this::evaluate).orElse(null);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                if (docs == null) return null;
                Scorer scorer = new ConstantScoreScorer(score(), scoreMode, new BitSetIterator(docs, docs.cardinality()));
                return new DefaultScorerSupplier(scorer);
            }

            private Optional<BitSet> evaluate(LeafReaderContext context) {
                try {
                    Scorer scorer = inner.scorer(context);
                    return scorer == null ? Optional.empty() : Optional.of(BitSet.of(scorer.iterator(), context.reader().maxDoc()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean isCacheable(LeafReaderContext context) {
                return inner.isCacheable(context);
            }
        };
    }

    @Override
    public void visit(QueryVisitor visitor) {
        filter.visit(visitor.getSubVisitor(org.apache.lucene.search.BooleanClause.Occur.FILTER, this));
    }

    @Override
    public String toString(String field) {
        return "once(" + filter.toString(field) + ")";
    }

    @Override
    public boolean equals(Object other) {
        return sameClassAs(other) && filter.equals(((OncePerSegmentFilter) other).filter);
    }

    @Override
    public int hashCode() {
        return 31 * classHash() + filter.hashCode();
    }
}
