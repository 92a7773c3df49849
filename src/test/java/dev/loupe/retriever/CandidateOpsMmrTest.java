package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.api.Json;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ScoredDocument;
import dev.loupe.inference.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CandidateOps#mmr}, incremental, against MMR's definition computed the slow way. */
class CandidateOpsMmrTest {

    /** Each pick rescans every pair: {@code argmax λ·score − (1−λ)·max(0, max cos to picked)}, ties to the earlier candidate. */
    private static List<ScoredDocument> naive(List<ScoredDocument> in, double lambda, int topK) {
        List<ScoredDocument> remaining = new ArrayList<>(in);
        List<ScoredDocument> picked = new ArrayList<>();
        while (!remaining.isEmpty() && picked.size() < topK) {
            int best = -1;
            double bestValue = 0;
            for (int i = 0; i < remaining.size(); i++) {
                float[] v = vector(remaining.get(i));
                double redundancy = 0;
                for (ScoredDocument p : picked) {
                    float[] w = vector(p);
                    if (v != null && w != null && v.length == w.length) redundancy = Math.max(redundancy, Vectors.dot(v, w));
                }
                double value = lambda * remaining.get(i).score() - (1 - lambda) * redundancy;
                if (best < 0 || value > bestValue) {
                    best = i;
                    bestValue = value;
                }
            }
            picked.add(remaining.remove(best));
        }
        return picked;
    }

    private static float[] vector(ScoredDocument d) {
        return d.document().vectors().get("v");
    }

    private static ScoredDocument candidate(int i, float score, float[] vector) {
        return new ScoredDocument(new IndexedDocument("doc_" + i, "col", Json.object().put("i", i), vector == null ? Map.of() : Map.of("v", vector)), score);
    }

    private static float[] unit(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) v[d] = (float) rnd.nextGaussian();
        Vectors.normalise(v);
        return v;
    }

    @Test
    void incrementalMmrPicksWhatTheDefinitionPicks() {
        Random rnd = new Random(11);
        int cases = 0;
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(40);
            List<ScoredDocument> in = new ArrayList<>();
            List<float[]> seen = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(10);
                float[] v = kind == 0 ? null                                        // no vector: competes on score alone
                        : kind == 1 ? unit(rnd, 3)                                  // another dimension: never compared
                        : kind == 2 && !seen.isEmpty() ? seen.get(rnd.nextInt(seen.size())).clone() // an exact duplicate
                        : unit(rnd, 8);
                if (v != null && v.length == 8) seen.add(v);
                float score = rnd.nextInt(4) == 0 ? 0.5f : rnd.nextFloat();        // repeated scores make ties
                in.add(candidate(i, score, v));
            }
            double lambda = rnd.nextInt(5) == 0 ? rnd.nextInt(2) : rnd.nextDouble();
            int topK = 1 + rnd.nextInt(n + 5);
            assertEquals(naive(in, lambda, topK), CandidateOps.mmr(in, lambda, topK), "round " + round);
            cases++;
        }
        assertEquals(300, cases);
    }

    @Test
    void aNearDuplicateIsDemotedBelowADifferentCandidate() {
        float[] a = {1, 0, 0, 0};
        float[] nearA = {0.999f, 0.0447f, 0, 0};
        Vectors.normalise(nearA);
        float[] b = {0, 1, 0, 0};
        List<ScoredDocument> in = List.of(candidate(0, 0.9f, a), candidate(1, 0.89f, nearA), candidate(2, 0.6f, b));
        List<ScoredDocument> out = CandidateOps.mmr(in, 0.5, 3);
        assertEquals(List.of("doc_0", "doc_2", "doc_1"), out.stream().map(d -> d.document().documentId()).toList());
        assertEquals(in, CandidateOps.mmr(in, 1.0, 3), "lambda 1 is relevance alone");
    }

    @Test
    void mmrChoosesAmongABoundedPool() {
        Random rnd = new Random(3);
        List<ScoredDocument> in = new ArrayList<>();
        for (int i = 0; i < CandidateOps.MMR_POOL + 50; i++) in.add(candidate(i, 1f - i * 1e-5f, unit(rnd, 4)));
        List<ScoredDocument> all = CandidateOps.mmr(in, 0.9, in.size());
        assertEquals(CandidateOps.MMR_POOL, all.size(), "candidates past the pool are not considered");
        assertEquals(naive(in.subList(0, 30), 0.3, 10), CandidateOps.mmr(in.subList(0, 30), 0.3, 10));
    }
}
