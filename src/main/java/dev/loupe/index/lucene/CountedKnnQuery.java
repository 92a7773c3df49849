package dev.loupe.index.lucene;

import dev.loupe.index.SearchTrace;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.knn.KnnCollectorManager;

/**
 * Lucene's filtered HNSW query, deciding per segment between a graph walk and an exact scan
 * from the filter's matches there, evaluated once, and recording how each segment was answered.
 *
 * <p>Lucene builds a segment's accepted documents (filter, vector field present, live) once and
 * hands them to {@link #approximateSearch}. There, a filtered segment whose matches are at most
 * its share of {@code exactSearchMaxDocs} (the budget split by segment size, so a search scans at
 * most that many vectors by Loupe's choice, and a filter spread evenly is scanned in every segment
 * exactly when it matches at most that many documents in all) answers "visit limit reached",
 * which makes Lucene scan the same accepted documents exactly. A flat per-segment threshold would
 * instead scan a broad filter in every small segment. Lucene also scans by itself a segment with
 * fewer matches than it would collect, and one whose walk hit its visit limit.
 *
 * <p>One query serves one search: {@link #trace} is that search's, while {@link Counts} keeps
 * running totals for the whole index. Segments are searched in parallel, so both are concurrent.
 */
final class CountedKnnQuery extends KnnFloatVectorQuery {
    /** What {@link #approximateSearch} answers to hand a segment to Lucene's exact scan. */
    private static final TopDocs SCAN_INSTEAD = new TopDocs(new TotalHits(0, TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO), new ScoreDoc[0]);

    private final int exactSearchMaxDocs;
    private final Counts counts;
    private final boolean filtered;
    /** Per segment (by ord): whether its last answer was a scan, its filter matches, and its scanned hits. */
    private final Map<Integer, Boolean> scanned = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> matches = new ConcurrentHashMap<>();
    private final Map<Integer, TopDocs> scans = new ConcurrentHashMap<>();
    private final LongAdder visited = new LongAdder();

    /** @param filter null for none; evaluated once per segment ({@link OncePerSegmentFilter}) */
    CountedKnnQuery(String field, float[] target, int k, Query filter, int exactSearchMaxDocs, Counts counts) {
        super(field, target, k, filter == null ? null : new OncePerSegmentFilter(filter));
        this.exactSearchMaxDocs = exactSearchMaxDocs;
        this.counts = counts;
        this.filtered = filter != null;
    }

    @Override
    protected TopDocs approximateSearch(LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit,
            KnnCollectorManager collectors) throws IOException {
        TopDocs earlier = scans.get(context.ord);
        if (earlier != null) return copy(earlier); // a second, seeded pass over a segment already scanned exactly
        if (filtered) {
            int accepted = acceptDocs.cost(); // Lucene's count of the bit set it built, not a second evaluation
            matches.put(context.ord, accepted);
            // Lucene passes no visit limit when the filter rewrote to match everything
            if (visitedLimit != Integer.MAX_VALUE && accepted <= share(context)) {
                counts.filteredScans.increment();
                return SCAN_INSTEAD;
            }
        }
        TopDocs top = super.approximateSearch(context, acceptDocs, visitedLimit, collectors);
        long nodes = top.totalHits.value(); // Lucene reports the nodes visited as the total
        counts.graphWalks.increment();
        counts.graphVisits.add(nodes);
        visited.add(nodes);
        scanned.put(context.ord, false);
        return top;
    }

    @Override
    protected TopDocs exactSearch(LeafReaderContext context, DocIdSetIterator accepted, QueryTimeout timeout) throws IOException {
        TopDocs earlier = scans.get(context.ord);
        if (earlier != null) return copy(earlier);
        if (filtered) matches.put(context.ord, Math.toIntExact(accepted.cost())); // the bit set's cardinality
        counts.segmentScans.increment();
        TopDocs top = super.exactSearch(context, accepted, timeout);
        scans.put(context.ord, copy(top)); // before Lucene rebases the doc ids to the index
        scanned.put(context.ord, true);
        return top;
    }

    /** This segment's part of the exact-scan budget, in proportion to its live documents. */
    private double share(LeafReaderContext context) {
        int all = ReaderUtil.getTopLevelContext(context).reader().numDocs();
        return all == 0 ? 0 : (double) exactSearchMaxDocs * context.reader().numDocs() / all;
    }

    private static TopDocs copy(TopDocs top) {
        ScoreDoc[] docs = new ScoreDoc[top.scoreDocs.length];
        for (int i = 0; i < docs.length; i++) docs[i] = new ScoreDoc(top.scoreDocs[i].doc, top.scoreDocs[i].score);
        return new TopDocs(top.totalHits, docs);
    }

    /** How this query's search was answered, once it has run (the query is rewritten by the search). */
    SearchTrace.Counted trace(boolean rescored) {
        int exact = (int) scanned.values().stream().filter(s -> s).count();
        OptionalLong filterMatches = filtered ? OptionalLong.of(matches.values().stream().mapToLong(Integer::longValue).sum()) : OptionalLong.empty();
        return new SearchTrace.Counted(scanned.size(), scanned.size() - exact, exact, visited.sum(), filterMatches, rescored);
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

    // equals/hashCode are KnnFloatVectorQuery's: the counts and the trace are not part of what the query asks
}
