package dev.loupe.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.testing.ClusteredVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approximate search against exact search on 768-d clustered vectors, with filters that
 * match all, 25 %, 10 % and 1 % of the documents: the filter is applied inside the graph
 * search (or, when it matches few enough documents, the index scans them exactly), so
 * recall must hold at every selectivity.
 */
class FilteredRecallTest {
    private static final int DIMENSION = 768;
    private static final int QUERIES = 60;
    private static final int K = 10;
    private static final String COL = "col_recall";

    private record Selectivity(String filterJson, IntPredicate matches) {
    }

    private static final List<Selectivity> FILTERS = List.of(
            new Selectivity("{}", i -> true),
            new Selectivity("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 25}", i -> i % 100 < 25),
            new Selectivity("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 10}", i -> i % 100 < 10),
            new Selectivity("{\"metadata.bucket\": 0}", i -> i % 100 == 0));

    @Test
    void recallAtTenStaysAbove95PercentAt100kDocumentsForEverySelectivity(@TempDir Path dir) throws Exception {
        Corpus.build(dir, 100_000, VectorQuantization.NONE).recall(LuceneDocumentIndex.Options.DEFAULT)
                .forEach((filter, r) -> assertTrue(r >= 0.95, "recall@10 " + r + " with filter " + filter));
    }

    @Test
    void selectiveFiltersKeepRecallInsideTheGraphSearchToo(@TempDir Path dir) throws Exception {
        // By default a filter matching 1 % or 10 % of 100k documents is scanned exactly;
        // here every filter goes through the graph, which must still find k true neighbours.
        Corpus.build(dir, 50_000, VectorQuantization.NONE).recall(LuceneDocumentIndex.Options.DEFAULT.withExactSearchMaxDocs(0))
                .forEach((filter, r) -> assertTrue(r >= 0.95, "recall@10 " + r + " through the graph with filter " + filter));
    }

    @Test
    void int8GraphsRescoredWithFloatsKeepRecallAndReportExactCosines(@TempDir Path dir) throws Exception {
        Corpus.build(dir, 20_000, VectorQuantization.INT8)
                .recall(LuceneDocumentIndex.Options.DEFAULT.withQuantization(VectorQuantization.INT8).withExactSearchMaxDocs(0))
                .forEach((filter, r) -> assertTrue(r >= 0.95, "recall@10 " + r + " with filter " + filter));
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

        /** Recall@10 against exact search for each filter, checking every hit on the way. */
        Map<String, Double> recall(LuceneDocumentIndex.Options options) {
            Map<String, Double> out = new java.util.LinkedHashMap<>();
            try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir, options)) {
                for (Selectivity s : FILTERS) {
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
                    out.put(s.filterJson(), sum / QUERIES);
                }
            }
            return out;
        }
    }

    private static Set<String> exact(float[][] docs, float[] q, IntPredicate matches) {
        List<Integer> candidates = new ArrayList<>();
        float[] scores = new float[docs.length];
        for (int i = 0; i < docs.length; i++) {
            if (matches.test(i)) {
                scores[i] = VectorUtil.dotProduct(q, docs[i]);
                candidates.add(i);
            }
        }
        candidates.sort((a, b) -> Float.compare(scores[b], scores[a]));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < K; i++) ids.add("doc_" + candidates.get(i));
        return ids;
    }
}
