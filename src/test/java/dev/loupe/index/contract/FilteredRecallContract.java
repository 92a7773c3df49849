package dev.loupe.index.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ScoredDocument;
import dev.loupe.inference.Vectors;
import dev.loupe.testing.ClusteredVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approximate search against exact search, on every engine: clustered vectors, written in
 * several batches, searched with filters that match all, 25 %, 10 % and 1 % of the documents.
 * The filter must be applied inside the search, so every filter still yields k hits, each
 * matching it, scored with its exact cosine, and recall@10 stays at 0.95 or more.
 */
public abstract class FilteredRecallContract {
    private static final int DIMENSION = 32;
    private static final int DOCUMENTS = 10_000;
    private static final int BATCH = 2_000;
    private static final int QUERIES = 40;
    /** How many neighbours every search asks for. */
    protected static final int K = 10;

    @TempDir
    protected Path dir;

    /** An index keeping its files (if any) under {@code dir}. */
    protected abstract DocumentIndex openIndex(Path dir);

    /** A filter on {@code metadata.bucket} (document {@code i} holds {@code i % 100}) and which documents it matches. */
    protected record Selectivity(String filterJson, IntPredicate matches) {
    }

    /** All, 25 %, 10 % and 1 % of the documents. */
    protected static final List<Selectivity> FILTERS = List.of(
            new Selectivity("{}", i -> true),
            new Selectivity("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 25}", i -> i % 100 < 25),
            new Selectivity("{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 10}", i -> i % 100 < 10),
            new Selectivity("{\"metadata.bucket\": 0}", i -> i % 100 == 0));

    @Test
    void recallAtTenStaysAbove95PercentForEverySelectivity() {
        String collection = CollectionIds.unique("col_recall");
        ClusteredVectors gen = new ClusteredVectors(DIMENSION, DOCUMENTS / 50, 11);
        float[][] docs = new float[DOCUMENTS][];
        try (DocumentIndex index = openIndex(dir)) {
            List<IndexedDocument> batch = new ArrayList<>();
            for (int i = 0; i < DOCUMENTS; i++) {
                docs[i] = gen.document(i);
                ObjectNode fields = Json.object();
                fields.putObject("metadata").put("bucket", i % 100);
                batch.add(new IndexedDocument("doc_" + i, collection, fields, Map.of("emb", docs[i])));
                if (batch.size() == BATCH) {
                    index.upsert(collection, batch);
                    batch = new ArrayList<>();
                }
            }
            Map<String, Double> recall = new LinkedHashMap<>();
            for (Selectivity s : FILTERS) {
                FilterNode filter = FilterParser.parseStatic(Json.read(s.filterJson()), "filters");
                double sum = 0;
                for (int j = 0; j < QUERIES; j++) {
                    float[] q = gen.query(j);
                    List<ScoredDocument> hits = index.nearest(collection, "emb", q, K, filter);
                    assertEquals(K, hits.size(), "a selective filter still yields k hits: " + s.filterJson());
                    Set<String> expected = exact(docs, q, s.matches());
                    for (ScoredDocument h : hits) {
                        int i = Integer.parseInt(h.document().documentId().substring(4));
                        assertTrue(s.matches().test(i), "every hit matches the filter " + s.filterJson());
                        assertEquals(Vectors.dot(q, docs[i]), h.score(), 1e-4, "scores are exact cosines");
                        if (expected.contains(h.document().documentId())) sum += 1.0 / K;
                    }
                }
                recall.put(s.filterJson(), sum / QUERIES);
            }
            recall.forEach((filter, r) -> assertTrue(r >= 0.95, "recall@10 " + r + " with filter " + filter + "; all: " + recall));
        }
    }

    /** The ids of the true top {@link #K} by cosine among the documents {@code matches} accepts. */
    protected static Set<String> exact(float[][] docs, float[] q, IntPredicate matches) {
        List<Integer> candidates = new ArrayList<>();
        float[] scores = new float[docs.length];
        for (int i = 0; i < docs.length; i++) {
            if (matches.test(i)) {
                scores[i] = Vectors.dot(q, docs[i]);
                candidates.add(i);
            }
        }
        candidates.sort((a, b) -> Float.compare(scores[b], scores[a]));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < K; i++) ids.add("doc_" + candidates.get(i));
        return ids;
    }
}
