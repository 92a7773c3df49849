package dev.loupe.index.lucene;

import dev.loupe.index.SearchTrace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
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
import org.apache.lucene.util.Bits;

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
 * <p>A segment the scan budget allows, but whose matches are many, is post-filtered instead, as
 * hnswlib's users filter: its graph is walked without the filter, collecting the beam or, where the
 * filter's share of the segment asks for more, {@value #POST_FILTER_OVERFETCH} times the hits asked
 * for divided by that share, and only the walk's matches are kept. That walk costs about the same
 * whatever the filter, while the scan reads every match: at 10,000 matches among 100,000 vectors
 * the 200-candidate walk took 1.2 ms and the scan 3.1 ms (BENCHMARKS.md), so a segment whose
 * matches are over {@value #SCAN_PER_WALK_CANDIDATE} times the walk's width is post-filtered.
 * Whenever the walk holds at least the asked-for number of matches, the segment's nearest matches
 * are among them (anything nearer would have been collected), so the answer is as good as the
 * walk; where it holds fewer (a filter whose matches lie away from the query), the segment is
 * scanned after all. Beyond the scan budget the filter goes inside the walk, whose beam then holds
 * only matches: at a million documents and 10 % that is the faster of the two at equal recall
 * (0.967 at 1,221 queries/s with a beam of 20, where post-filtering gave 0.972 at 733) and the
 * more accurate at the default beam (0.999 against 0.972; BENCHMARKS.md).
 *
 * <p>One query serves one search: {@link #trace} is that search's, while {@link Counts} keeps
 * running totals for the whole index. Segments are searched in parallel, so both are concurrent.
 */
final class CountedKnnQuery extends KnnFloatVectorQuery {
    /** What {@link #approximateSearch} answers to hand a segment to Lucene's exact scan. */
    private static final TopDocs SCAN_INSTEAD = new TopDocs(new TotalHits(0, TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO), new ScoreDoc[0]);

    /** How many times the hits asked for, in expectation, an unfiltered walk collects before its matches are kept. */
    static final int POST_FILTER_OVERFETCH = 2;
    /**
     * How many vectors an exact scan reads in the time a walk collects one candidate: measured at
     * 100,000 documents, a 200-candidate walk took as long as scanning 4,000 vectors. A segment the
     * exact-scan budget allows is post-filtered when its matches are more than this many times the
     * walk's width.
     */
    static final int SCAN_PER_WALK_CANDIDATE = 20;

    private final int exactSearchMaxDocs;
    private final int needed;
    private final int postFilterMaxWidening;
    private final Counts counts;
    private final boolean filtered;
    /** Per segment (by ord): whether its last answer was a scan, its filter matches, and its scanned hits. */
    private final Map<Integer, Boolean> scanned = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> matches = new ConcurrentHashMap<>();
    private final Map<Integer, TopDocs> scans = new ConcurrentHashMap<>();
    /** Per segment (by ord): the matches an unfiltered walk kept, for a second pass over the segment. */
    private final Map<Integer, TopDocs> postFiltered = new ConcurrentHashMap<>();
    private final LongAdder visited = new LongAdder();

    /**
     * @param k                     the beam: candidates collected per segment
     * @param needed                the hits the search will return, which a post-filtered segment must hold
     * @param filter                null for none; evaluated once per segment ({@link OncePerSegmentFilter})
     * @param postFilterMaxWidening how many times {@code k} an unfiltered walk may collect to post-filter; 0 never post-filters
     */
    CountedKnnQuery(String field, float[] target, int k, int needed, Query filter, int exactSearchMaxDocs, int postFilterMaxWidening,
                    Counts counts) {
        super(field, target, k, filter == null ? null : new OncePerSegmentFilter(filter));
        this.needed = needed;
        this.exactSearchMaxDocs = exactSearchMaxDocs;
        this.postFilterMaxWidening = postFilterMaxWidening;
        this.counts = counts;
        this.filtered = filter != null;
    }

    @Override
    protected TopDocs approximateSearch(LeafReaderContext context, AcceptDocs acceptDocs, int visitedLimit,
            KnnCollectorManager collectors) throws IOException {
        TopDocs earlier = answered(context);
        if (earlier != null) return copy(earlier); // a second, seeded pass over a segment already answered
        if (filtered) {
            int accepted = acceptDocs.cost(); // Lucene's count of the bit set it built, not a second evaluation
            matches.put(context.ord, accepted);
            // Lucene passes no visit limit when the filter rewrote to match everything
            if (visitedLimit != Integer.MAX_VALUE && accepted <= share(context)) {
                int width = postFilterWidth(context, accepted);
                TopDocs kept = width > 0 && accepted > (long) SCAN_PER_WALK_CANDIDATE * width ? postFilter(context, acceptDocs, accepted, width) : null;
                if (kept != null) return kept;
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
        TopDocs earlier = answered(context);
        // Lucene takes a walk's answer only when it holds the whole beam, else scans instead; the
        // matches a post-filtered walk kept are fewer by design and are the answer all the same.
        if (earlier != null) return copy(earlier);
        if (filtered) matches.put(context.ord, Math.toIntExact(accepted.cost())); // the bit set's cardinality
        counts.segmentScans.increment();
        TopDocs top = super.exactSearch(context, accepted, timeout);
        scans.put(context.ord, copy(top)); // before Lucene rebases the doc ids to the index
        scanned.put(context.ord, true);
        return top;
    }

    /**
     * How many hits an unfiltered walk of the segment collects to post-filter it: the beam, or
     * more where the filter's share of the segment asks for it; 0 where that would be more than
     * {@code postFilterMaxWidening} beams (or post-filtering is off).
     */
    private int postFilterWidth(LeafReaderContext context, int accepted) throws IOException {
        FloatVectorValues vectors = context.reader().getFloatVectorValues(field);
        if (postFilterMaxWidening == 0 || vectors == null || vectors.size() == 0 || accepted == 0) return 0;
        double wanted = Math.max(k, POST_FILTER_OVERFETCH * needed * (double) vectors.size() / accepted);
        return wanted > (double) k * postFilterMaxWidening ? 0 : (int) Math.ceil(wanted);
    }

    /**
     * The segment walked without the filter, collecting {@code width} hits, and kept to the
     * filter's matches; null where the walk held fewer matches than the search needs.
     */
    private TopDocs postFilter(LeafReaderContext context, AcceptDocs acceptDocs, int accepted, int width) throws IOException {
        LeafReader reader = context.reader();
        TopDocs walk = reader.searchNearestVectors(field, getTargetCopy(), width, AcceptDocs.fromLiveDocs(reader.getLiveDocs(), reader.maxDoc()),
                Integer.MAX_VALUE);
        long nodes = walk.totalHits.value();
        counts.graphWalks.increment();
        counts.graphVisits.add(nodes);
        visited.add(nodes);
        Bits matching = acceptDocs.bits();
        List<ScoreDoc> hits = new ArrayList<>(k);
        for (ScoreDoc sd : walk.scoreDocs) {
            if (hits.size() == k) break;
            if (matching.get(sd.doc)) hits.add(sd);
        }
        if (hits.size() < Math.min(needed, accepted)) {
            counts.postFilterMisses.increment();
            return null;
        }
        counts.postFilteredWalks.increment();
        scanned.put(context.ord, false);
        TopDocs kept = new TopDocs(new TotalHits(nodes, TotalHits.Relation.EQUAL_TO), hits.toArray(ScoreDoc[]::new));
        postFiltered.put(context.ord, copy(kept));
        return kept;
    }

    /** The hits this query already answered the segment with, by scan or post-filtered walk; null if none. */
    private TopDocs answered(LeafReaderContext context) {
        TopDocs scan = scans.get(context.ord);
        return scan != null ? scan : postFiltered.get(context.ord);
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
        return new SearchTrace.Counted(scanned.size(), scanned.size() - exact, exact, postFiltered.size(), visited.sum(), filterMatches, rescored);
    }

    /** Running totals, shared by every query of one index. */
    static final class Counts {
        final LongAdder graphWalks = new LongAdder();
        final LongAdder graphVisits = new LongAdder();
        final LongAdder segmentScans = new LongAdder();
        final LongAdder filteredScans = new LongAdder();
        final LongAdder postFilteredWalks = new LongAdder();
        final LongAdder postFilterMisses = new LongAdder();

        LuceneDocumentIndex.SearchStats snapshot() {
            return new LuceneDocumentIndex.SearchStats(graphWalks.sum(), graphVisits.sum(), segmentScans.sum(), filteredScans.sum(),
                    postFilteredWalks.sum(), postFilterMisses.sum());
        }
    }

    // equals/hashCode are KnnFloatVectorQuery's: the counts and the trace are not part of what the query asks
}
