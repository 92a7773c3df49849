package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ScoredDocument;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link CandidateOps#sample}: a uniform random subset chosen by the seed, kept in the
 * candidates' order. Seeds are fixed, so each run is the same; the bounds are wide enough
 * that any uniform sampler passes them with near certainty, and far from what the top k gives.
 */
class CandidateOpsSampleTest {
    private static final int CANDIDATES = 100;
    private static final int SIZE = 10;
    private static final int SEEDS = 2_000;

    /** {@code n} candidates in relevance order: candidate {@code i} scores {@code 1 − i/1000}. */
    private static List<ScoredDocument> ranked(int n) {
        List<ScoredDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ScoredDocument(new IndexedDocument("doc_" + i, "col", Json.object().put("i", i), Map.of()), 1f - i / 1000f));
        }
        return out;
    }

    private static List<Integer> positions(List<ScoredDocument> sample) {
        return sample.stream().map(d -> d.document().fields().path("i").asInt()).toList();
    }

    @Test
    void theSameSeedChoosesTheSameSubsetInTheCandidatesOrder() {
        List<ScoredDocument> in = ranked(CANDIDATES);
        for (long seed = 0; seed < 50; seed++) {
            List<Integer> picked = positions(CandidateOps.sample(in, SIZE, seed));
            assertEquals(SIZE, picked.size(), "seed " + seed);
            for (int k = 1; k < picked.size(); k++) assertTrue(picked.get(k - 1) < picked.get(k), "distinct and in order: " + picked);
            assertEquals(picked, positions(CandidateOps.sample(in, SIZE, seed)), "seed " + seed + " again");
        }
    }

    @Test
    void differentSeedsChooseDifferentSubsets() {
        List<ScoredDocument> in = ranked(CANDIDATES);
        Set<List<Integer>> subsets = new HashSet<>();
        for (long seed = 0; seed < SEEDS; seed++) subsets.add(positions(CandidateOps.sample(in, SIZE, seed)));
        // C(100, 10) ≈ 1.7·10¹³ subsets: two of 2,000 uniform draws coincide with probability ≈ 10⁻⁷.
        assertTrue(subsets.size() >= SEEDS - 10, subsets.size() + " distinct subsets of " + SEEDS);
    }

    @Test
    void everyCandidateIsChosenAboutAsOftenNotJustTheTopOnes() {
        List<ScoredDocument> in = ranked(CANDIDATES);
        int[] chosen = new int[CANDIDATES];
        for (long seed = 0; seed < SEEDS; seed++) for (int i : positions(CandidateOps.sample(in, SIZE, seed))) chosen[i]++;
        // Each candidate is in a uniform sample with probability 1/10: Binomial(2000, 0.1) has mean 200
        // and standard deviation 13.4, so [120, 280] is six deviations each side. The top 10 would give 2000 and 0.
        for (int i = 0; i < CANDIDATES; i++) {
            assertTrue(chosen[i] >= 120 && chosen[i] <= 280, "candidate " + i + " chosen " + chosen[i] + " times in " + SEEDS);
        }
    }

    @Test
    void smallConsecutiveSeedsChooseUniformlyAmongFewCandidates() {
        // Seeds 0, 1, 2, … are what people type; java.util.Random's first draws for them barely
        // differ, so a shuffle seeded directly with them chose one of eight candidates a third as often as the others.
        List<ScoredDocument> in = ranked(8);
        int[] chosen = new int[8];
        for (long seed = 0; seed < SEEDS; seed++) for (int i : positions(CandidateOps.sample(in, 3, seed))) chosen[i]++;
        // Binomial(2000, 3/8): mean 750, standard deviation 21.7; [620, 880] is six deviations each side.
        for (int i = 0; i < chosen.length; i++) {
            assertTrue(chosen[i] >= 620 && chosen[i] <= 880, "candidate " + i + " chosen " + chosen[i] + " times in " + SEEDS + ": " + Arrays.toString(chosen));
        }
    }

    @Test
    void aSampleAsLargeAsTheCandidatesKeepsThemAll() {
        List<ScoredDocument> in = ranked(7);
        assertEquals(in, CandidateOps.sample(in, 7, 3));
        assertEquals(in, CandidateOps.sample(in, 50, 3));
        assertEquals(List.of(), CandidateOps.sample(in, 0, 3));
    }
}
