package dev.loupe.index.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.NearestHits;
import dev.loupe.index.SearchTrace;
import dev.loupe.index.VectorQuantization;
import dev.loupe.testing.ClusteredVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.FilterWeight;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each nearest-neighbour search says how it found its hits ({@link SearchTrace.Counted}), and the
 * filter is evaluated once per segment, which also decides whether the segment is walked or
 * scanned. The index has {@value #SEGMENTS} segments of {@value #PER_SEGMENT} documents, one per
 * commit; {@code bucket} is {@code i % 100}, so a {@code bucket} equality matches 1 %, and
 * {@code side} is {@code near} for the quarter of the documents nearest {@link #nearQuery}, else {@code far}.
 */
class LuceneSearchTraceTest {
    private static final int SEGMENTS = 4;
    /** Under two of the writer's slices, so that each batch is written by one thread into one segment. */
    private static final int PER_SEGMENT = DocumentWriter.MIN_SLICE * 3 / 2;
    private static final int DIMENSION = 32;
    private static final String COL = "col_trace";

    @TempDir
    Path dir;

    private final ClusteredVectors gen = new ClusteredVectors(DIMENSION, 40, 5);
    private final float[] nearQuery = gen.query(6);

    private final double nearQuartile = java.util.stream.IntStream.range(0, SEGMENTS * PER_SEGMENT)
            .mapToDouble(i -> VectorUtil.dotProduct(nearQuery, gen.document(i))).sorted().toArray()[SEGMENTS * PER_SEGMENT * 3 / 4];

    /** Whether document {@code i} is in the quarter nearest {@link #nearQuery}. */
    private boolean near(int i) {
        return VectorUtil.dotProduct(nearQuery, gen.document(i)) >= nearQuartile;
    }

    private LuceneDocumentIndex index(LuceneDocumentIndex.Options options) {
        LuceneDocumentIndex index = new LuceneDocumentIndex(dir, options);
        for (int s = 0; s < SEGMENTS; s++) {
            List<IndexedDocument> batch = new ArrayList<>();
            for (int i = s * PER_SEGMENT; i < (s + 1) * PER_SEGMENT; i++) {
                ObjectNode fields = Json.object();
                fields.putObject("metadata").put("bucket", i % 100).put("side", near(i) ? "near" : "far");
                batch.add(new IndexedDocument("doc_" + i, COL, fields, Map.of("emb", gen.document(i))));
            }
            index.upsert(COL, batch); // one commit, one segment
        }
        return index;
    }

    private static FilterNode filter(String json) {
        return FilterParser.parseStatic(Json.read(json), "filters");
    }

    @Test
    void aSelectiveFilterIsAnsweredByExactScanAndSaysSo() {
        try (LuceneDocumentIndex index = index(LuceneDocumentIndex.Options.DEFAULT)) {
            NearestHits r = index.nearestTraced(COL, "emb", gen.query(1), 10, filter("{\"metadata.bucket\": 7}"));
            SearchTrace.Counted t = (SearchTrace.Counted) r.trace();
            assertEquals(SearchTrace.Method.EXACT, t.method(), t.toString());
            assertEquals(new SearchTrace.Counted(SEGMENTS, 0, SEGMENTS, 0, 0, OptionalLong.of(SEGMENTS * PER_SEGMENT / 100), false), t);
            assertEquals(10, r.hits().size());
            assertEquals("exact", t.json().path("method").asText());
            assertEquals(SEGMENTS * PER_SEGMENT / 100, t.json().path("filter_matches").asLong());
        }
    }

    @Test
    void anUnfilteredSearchOverSeveralSegmentsWalksTheGraphAndCountsItsVisits() {
        try (LuceneDocumentIndex index = index(LuceneDocumentIndex.Options.DEFAULT)) {
            SearchTrace.Counted t = (SearchTrace.Counted) index.nearestTraced(COL, "emb", gen.query(2), 10, FilterNode.ALL).trace();
            assertEquals(SearchTrace.Method.GRAPH, t.method(), t.toString());
            assertEquals(SEGMENTS, t.segments());
            assertEquals(SEGMENTS, t.graphSegments());
            assertTrue(t.nodesVisited() > 0, "a walk visits nodes: " + t);
            assertEquals(OptionalLong.empty(), t.filterMatches(), "no filter, no matches to report");
            assertTrue(t.json().path("filter_matches").isMissingNode());
        }
    }

    @Test
    void filterMatchesAreTheTrueNumberOfMatchingLiveDocumentsWhetherWalkedOrScanned() {
        // a budget of 1,000 scanned documents among 6,000: 1 % is scanned, half is walked
        try (LuceneDocumentIndex index = index(LuceneDocumentIndex.Options.DEFAULT.withExactSearchMaxDocs(1_000))) {
            index.delete(COL, "doc_3");    // bucket 3, in the first segment
            index.delete(COL, "doc_2103"); // bucket 3, in the second
            FilterNode broad = filter("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 50}");
            FilterNode rare = filter("{\"metadata.bucket\": 3}");
            SearchTrace.Counted walked = (SearchTrace.Counted) index.nearestTraced(COL, "emb", gen.query(3), 10, broad).trace();
            SearchTrace.Counted scanned = (SearchTrace.Counted) index.nearestTraced(COL, "emb", gen.query(3), 10, rare).trace();
            assertEquals(SearchTrace.Method.GRAPH, walked.method(), "half the documents is no selective filter: " + walked);
            assertEquals(OptionalLong.of(index.count(COL, broad)), walked.filterMatches());
            assertEquals(OptionalLong.of(SEGMENTS * PER_SEGMENT / 2 - 2), walked.filterMatches());
            assertEquals(SearchTrace.Method.EXACT, scanned.method(), scanned.toString());
            assertEquals(OptionalLong.of(SEGMENTS * PER_SEGMENT / 100 - 2), scanned.filterMatches());
        }
    }

    @Test
    void withinTheScanBudgetManyMatchesArePostFilteredAndFewerAreScanned() {
        // one segment of 6,000: a scan reads every match, a post-filtered walk collects 200 whatever the filter
        try (LuceneDocumentIndex index = index(LuceneDocumentIndex.Options.DEFAULT)) {
            index.compact(COL);
            int walkWidth = LuceneDocumentIndex.Options.DEFAULT.candidates();
            int most = SEGMENTS * PER_SEGMENT * 3 / 4;
            int half = SEGMENTS * PER_SEGMENT / 2;
            assertTrue(most > CountedKnnQuery.SCAN_PER_WALK_CANDIDATE * walkWidth && half <= CountedKnnQuery.SCAN_PER_WALK_CANDIDATE * walkWidth);
            float[] q = gen.query(8);
            NearestHits many = index.nearestTraced(COL, "emb", q, 10, filter("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 75}"));
            NearestHits fewer = index.nearestTraced(COL, "emb", q, 10, filter("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 50}"));
            SearchTrace.Counted post = (SearchTrace.Counted) many.trace();
            assertEquals(new SearchTrace.Counted(1, 1, 0, 1, post.nodesVisited(), OptionalLong.of(most), false), post);
            assertTrue(post.nodesVisited() > 0, post.toString());
            assertEquals(1, post.json().path("post_filtered_segments").asInt());
            assertEquals(new SearchTrace.Counted(1, 0, 1, 0, 0, OptionalLong.of(half), false), fewer.trace());
            assertTrue(overlap(many, exactTop10(q, i -> i % 100 < 75)) >= 9, "the walk's matches are the nearest matches: " + many.hits());
            assertEquals(exactTop10(q, i -> i % 100 < 50), ids(fewer), "the scan is exact");
            LuceneDocumentIndex.SearchStats stats = index.searchStats();
            assertEquals(1, stats.postFilteredWalks(), stats.toString());
            assertEquals(0, stats.postFilterMisses(), stats.toString());
        }
    }

    @Test
    void aPostFilteredWalkHoldingTooFewMatchesScansTheSegmentAfterAll() {
        // three quarters of the documents match, but none near the query: the unfiltered walk's 200 nearest are all "near"
        try (LuceneDocumentIndex index = index(LuceneDocumentIndex.Options.DEFAULT)) {
            index.compact(COL);
            NearestHits r = index.nearestTraced(COL, "emb", nearQuery, 10, filter("{\"metadata.side\": \"far\"}"));
            SearchTrace.Counted t = (SearchTrace.Counted) r.trace();
            assertEquals(SearchTrace.Method.EXACT, t.method(), t.toString());
            assertEquals(0, t.postFilteredSegments(), t.toString());
            assertTrue(t.nodesVisited() > 0, "the walk that fell short is counted: " + t);
            LuceneDocumentIndex.SearchStats stats = index.searchStats();
            assertEquals(1, stats.postFilterMisses(), stats.toString());
            assertEquals(0, stats.postFilteredWalks(), stats.toString());
            assertEquals(exactTop10(nearQuery, i -> !near(i)), ids(r), "the nearest far documents, scanned");
        }
    }

    private List<String> exactTop10(float[] q, java.util.function.IntPredicate matches) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < SEGMENTS * PER_SEGMENT; i++) if (matches.test(i)) ids.add(i);
        ids.sort(java.util.Comparator.comparingDouble(i -> -VectorUtil.dotProduct(q, gen.document(i))));
        return ids.subList(0, 10).stream().map(i -> "doc_" + i).toList();
    }

    private static List<String> ids(NearestHits r) {
        return r.hits().stream().map(h -> h.document().documentId()).toList();
    }

    private static long overlap(NearestHits r, List<String> expected) {
        return ids(r).stream().filter(expected::contains).count();
    }

    @Test
    void int8SearchesSayTheyRescored() {
        LuceneDocumentIndex.Options int8 = LuceneDocumentIndex.Options.DEFAULT.withQuantization(VectorQuantization.INT8);
        try (LuceneDocumentIndex index = index(int8)) {
            SearchTrace.Counted t = (SearchTrace.Counted) index.nearestTraced(COL, "emb", gen.query(4), 10, FilterNode.ALL).trace();
            assertTrue(t.rescored(), t.toString());
            assertTrue(t.json().path("rescored").asBoolean());
        }
    }

    @Test
    void theFilterIsEvaluatedOncePerSegmentWhetherTheSegmentIsWalkedOrScanned() {
        try (LuceneDocumentIndex index = index(LuceneDocumentIndex.Options.DEFAULT.withExactSearchMaxDocs(1_000))) {
            for (String json : List.of("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 50}", "{\"metadata.bucket\": 9}")) {
                CountingFilter counting = new CountingFilter(LuceneFilter.toQuery(filter(json)));
                NearestHits r = index.nearest(COL, "emb", gen.query(5), 10, counting);
                assertEquals(10, r.hits().size());
                assertEquals(json.contains("lt") ? SearchTrace.Method.GRAPH : SearchTrace.Method.EXACT, r.trace().method(), "both paths: " + r.trace());
                assertEquals(SEGMENTS, counting.evaluations.size(), "every segment's filter was evaluated: " + counting.evaluations);
                counting.evaluations.forEach((segment, n) -> assertEquals(1, n.get(), "segment " + segment + " with " + json + ", " + r.trace()));
            }
        }
    }

    /**
     * A filter counting, per segment, how often its matches are asked for. Like Loupe's range and
     * boolean filters (and unlike a bare term), it cannot count its matches without listing them.
     */
    private static final class CountingFilter extends Query {
        final Query inner;
        /** Shared with the filter's rewritten forms. */
        final Map<Integer, AtomicInteger> evaluations;

        CountingFilter(Query inner) {
            this(inner, new ConcurrentHashMap<>());
        }

        private CountingFilter(Query inner, Map<Integer, AtomicInteger> evaluations) {
            this.inner = inner;
            this.evaluations = evaluations;
        }

        @Override
        public Query rewrite(IndexSearcher searcher) throws IOException {
            Query rewritten = inner.rewrite(searcher);
            return rewritten == inner ? this : new CountingFilter(rewritten, evaluations);
        }

        @Override
        public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
            return new FilterWeight(this, inner.createWeight(searcher, scoreMode, boost)) {
                @Override
                public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
                    evaluations.computeIfAbsent(context.ord, o -> new AtomicInteger()).incrementAndGet();
                    return in.scorerSupplier(context);
                }

                @Override
                public int count(LeafReaderContext context) {
                    return -1; // unknown without listing the matches
                }

                @Override
                public boolean isCacheable(LeafReaderContext context) {
                    return false;
                }
            };
        }

        @Override
        public void visit(QueryVisitor visitor) {
            inner.visit(visitor);
        }

        @Override
        public String toString(String field) {
            return "counting(" + inner.toString(field) + ")";
        }

        @Override
        public boolean equals(Object other) {
            return sameClassAs(other) && inner.equals(((CountingFilter) other).inner) && evaluations == ((CountingFilter) other).evaluations;
        }

        @Override
        public int hashCode() {
            return inner.hashCode();
        }
    }
}
