package dev.loupe.index.lucene;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnCollectorManager;

/**
 * Lucene's filtered HNSW query, counting how each segment was answered: Lucene itself
 * scans a segment exactly when the filter leaves fewer documents there than the
 * candidates asked for, or when the graph walk visits more nodes than the filter
 * matches. The counts are how a caller (and a recall test) knows the graph really ran.
 */
final class CountedKnnQuery extends KnnFloatVectorQuery {
    private final Counts counts;

    CountedKnnQuery(String field, float[] target, int k, Query filter, Counts counts) {
        super(field, target, k, filter);
        this.counts = counts;
    }

    @Override
    protected TopDocs approximateSearch(LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit,
            KnnCollectorManager collectors) throws IOException {
        TopDocs top = super.approximateSearch(context, acceptDocs, visitedLimit, collectors);
        counts.graphWalks.increment();
        counts.graphVisits.add(top.totalHits.value()); // Lucene reports the nodes visited as the total
        return top;
    }

    @Override
    protected TopDocs exactSearch(LeafReaderContext context, DocIdSetIterator accepted, QueryTimeout timeout) throws IOException {
        counts.segmentScans.increment();
        return super.exactSearch(context, accepted, timeout);
    }

    /** Running totals, shared by every query of one index. */
    static final class Counts {
        final LongAdder graphWalks = new LongAdder();
        final LongAdder graphVisits = new LongAdder();
        final LongAdder segmentScans = new LongAdder();
        final LongAdder filteredScans = new LongAdder();

        LuceneDocumentIndex.SearchStats snapshot() {
            return new LuceneDocumentIndex.SearchStats(graphWalks.sum(), graphVisits.sum(), segmentScans.sum(), filteredScans.sum());
        }
    }

    // equals/hashCode are KnnFloatVectorQuery's: the counts are not part of what the query asks
}
