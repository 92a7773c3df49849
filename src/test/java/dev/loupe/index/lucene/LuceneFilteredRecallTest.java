package dev.loupe.index.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.contract.FilteredRecallContract;
import dev.loupe.index.VectorQuantization;
import dev.loupe.index.ScoredDocument;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.testing.ClusteredVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

/**
 * Approximate search against exact search on 768-d clustered vectors, with filters that
 * match all, 25 %, 10 % and 1 % of the documents: the filter is applied inside the graph
 * search (or, when it matches few enough documents, the index scans them exactly), so
 * recall must hold at every selectivity. The index's search counts prove which path each
 * filter took: a "graph only" option that never reached the graph would fail here. The
 * {@link FilteredRecallContract}'s smaller test runs here too.
 */
class LuceneFilteredRecallTest extends FilteredRecallContract {
    private static final int DIMENSION = 768;
    private static final int QUERIES = 60;
    private static final String COL = "col_recall";

    /**
     * The contract's collection is small enough that by default every filter would be scanned
     * exactly, which would not test the graph search at all: here every filter goes through it.
     */
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return new LuceneDocumentIndex(dir, LuceneDocumentIndex.Options.DEFAULT.withExactSearchMaxDocs(0));
    }

    @Test
    void recallAtTenStaysAbove95PercentAt100kDocumentsForEverySelectivity() throws Exception {
        Map<String, Result> results = Corpus.build(dir, 100_000, VectorQuantization.NONE).recall(LuceneDocumentIndex.Options.DEFAULT);
        results.forEach((filter, r) -> assertTrue(r.recall() >= 0.95, "recall@10 " + r + " with filter " + filter));
        // 1 % and 10 % of 100k are under the default 15,000: no segment walked with the filter. 1 % is
        // scanned everywhere (Loupe chose the scan, or Lucene did first where a segment's matches are
        // fewer than it would collect); 10 % too, except in a segment large enough for its matches to be
        // over 20 times the beam, which is post-filtered. The broader filters walk the graph.
        for (String selective : List.of(FILTERS.get(2).filterJson(), FILTERS.get(3).filterJson())) {
            LuceneDocumentIndex.SearchStats stats = results.get(selective).stats();
            assertEquals(stats.postFilteredWalks(), stats.graphWalks(), selective + " " + stats);
            assertTrue(stats.filteredScans() + stats.postFilteredWalks() >= QUERIES, "Loupe chose the scan or the post-filter in every query: "
                    + selective + " " + stats);
        }
        assertEquals(0, results.get(FILTERS.get(3).filterJson()).stats().graphWalks());
        for (String broad : List.of(FILTERS.get(0).filterJson(), FILTERS.get(1).filterJson())) {
            assertWalkedTheGraph(results.get(broad), broad);
        }
        // 25 % is beyond the budget: the filter goes inside the walk, never post-filtered
        assertEquals(0, results.get(FILTERS.get(1).filterJson()).stats().postFilteredWalks());
        assertEquals(0, results.get(FILTERS.get(0).filterJson()).stats().postFilteredWalks(), "no filter, nothing to post-filter");
    }

    @Test
    void selectiveFiltersKeepRecallInsideTheGraphSearchToo() throws Exception {
        // By default a filter matching 1 % or 10 % of 100k documents is scanned exactly (or post-filtered);
        // here every filter goes through the filtered graph walk, which must still find k true neighbours.
        Map<String, Result> results = Corpus.build(dir, 50_000, VectorQuantization.NONE)
                .recall(LuceneDocumentIndex.Options.DEFAULT.withExactSearchMaxDocs(0).withPostFilterMaxWidening(0));
        results.forEach((filter, r) -> {
            assertTrue(r.recall() >= 0.95, "recall@10 " + r + " through the graph with filter " + filter);
            assertWalkedTheGraph(r, filter);
            assertEquals(0, r.stats().postFilteredWalks(), r.toString());
        });
    }

    @Test
    void int8GraphsRescoredWithFloatsKeepRecallAndReportExactCosines() throws Exception {
        Map<String, Result> results = Corpus.build(dir, 20_000, VectorQuantization.INT8)
                .recall(LuceneDocumentIndex.Options.DEFAULT.withQuantization(VectorQuantization.INT8).withExactSearchMaxDocs(0));
        results.forEach((filter, r) -> assertTrue(r.recall() >= 0.95, "recall@10 " + r + " with filter " + filter));
        for (Selectivity s : FILTERS.subList(0, 3)) assertWalkedTheGraph(results.get(s.filterJson()), s.filterJson());
        // 1 % of 20k leaves 50 documents in each 5,000-document segment, fewer than the 400
        // int8 candidates, so Lucene itself scans every segment and no graph is walked
        Result rare = results.get(FILTERS.get(3).filterJson());
        assertEquals(0, rare.stats().graphWalks(), rare.toString());
        assertTrue(rare.stats().segmentScans() >= QUERIES, rare.toString());
    }

    /** Loupe never chose a scan, the graph was walked (in some segment) as often as there were queries, and visited nodes there. */
    private static void assertWalkedTheGraph(Result r, String filter) {
        assertEquals(0, r.stats().filteredScans(), "no segment bypassed the graph by Loupe's choice: " + r + " with filter " + filter);
        assertTrue(r.stats().graphWalks() >= QUERIES, "a graph walk per query at least: " + r + " with filter " + filter);
        assertTrue(r.stats().graphVisits() >= r.stats().graphWalks() * K, "graph walks visited nodes: " + r + " with filter " + filter);
    }

    /** {@code n} clustered documents indexed in {@code dir}, committed 5,000 at a time so that the index has several segments. */
    private record Corpus(Path dir, ClusteredVectors gen, float[][] docs) {
        static Corpus build(Path dir, int n, VectorQuantization quantization) throws Exception {
            ClusteredVectors gen = new ClusteredVectors(DIMENSION, n / 50, 11);
            float[][] docs = new float[n][];
            try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir, LuceneDocumentIndex.Options.DEFAULT.withQuantization(quantization))) {
                List<IndexedDocument> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    docs[i] = gen.document(i);
                    ObjectNode fields = Json.object();
                    fields.putObject("metadata").put("bucket", i % 100);
                    batch.add(new IndexedDocument("doc_" + i, COL, fields, Map.of("emb", docs[i])));
                    if (batch.size() == 5000 || i == n - 1) {
                        index.upsert(COL, batch);
                        batch = new ArrayList<>();
                    }
                }
            }
            return new Corpus(dir, gen, docs);
        }

        /** Recall@10 against exact search for each filter, checking every hit on the way, and how the index answered. */
        Map<String, Result> recall(LuceneDocumentIndex.Options options) {
            Map<String, Result> out = new java.util.LinkedHashMap<>();
            try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir, options)) {
                for (Selectivity s : FILTERS) {
                    LuceneDocumentIndex.SearchStats before = index.searchStats();
                    FilterNode filter = FilterParser.parseStatic(Json.read(s.filterJson()), "filters");
                    double sum = 0;
                    for (int j = 0; j < QUERIES; j++) {
                        float[] q = gen.query(j);
                        List<ScoredDocument> hits = index.nearest(COL, "emb", q, K, filter);
                        assertEquals(K, hits.size(), "a selective filter still yields k hits");
                        Set<String> expected = exact(docs, q, s.matches());
                        for (ScoredDocument h : hits) {
                            int i = Integer.parseInt(h.document().documentId().substring(4));
                            assertTrue(s.matches().test(i), "every hit matches the filter");
                            assertEquals(VectorUtil.dotProduct(q, docs[i]), h.score(), 1e-4, "scores are exact cosines");
                            if (expected.contains(h.document().documentId())) sum += 1.0 / K;
                        }
                    }
                    LuceneDocumentIndex.SearchStats after = index.searchStats();
                    out.put(s.filterJson(), new Result(sum / QUERIES, new LuceneDocumentIndex.SearchStats(
                            after.graphWalks() - before.graphWalks(), after.graphVisits() - before.graphVisits(),
                            after.segmentScans() - before.segmentScans(), after.filteredScans() - before.filteredScans(),
                            after.postFilteredWalks() - before.postFilteredWalks(), after.postFilterMisses() - before.postFilterMisses())));
                }
            }
            return out;
        }
    }

    /** Recall@10 over the queries of one filter, and how the index answered them. */
    private record Result(double recall, LuceneDocumentIndex.SearchStats stats) {
    }
}
