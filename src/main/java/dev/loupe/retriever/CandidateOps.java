package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.document.FieldPath;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterValues;
import dev.loupe.index.ScoredDocument;
import dev.loupe.inference.Vectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The in-memory operations of the stages that reorder or reduce a candidate list. */
final class CandidateOps {
    private CandidateOps() {}

    /**
     * The one value of a candidate at a field where one is needed, by the index's sorting
     * rule ({@code dev.loupe.index.lucene.Sorting}): among its numbers when {@code numeric}, else among its
     * terms (strings, and booleans as their text, as {@link FilterValues#term} cuts them, in code point order), the smallest, or the
     * largest when {@code largest}; empty when it holds none. Null means missing.
     */
    private static Optional<SortValue> value(ScoredDocument h, Field field, boolean numeric, boolean largest) {
        if (field.documentId()) return Optional.of(new SortValue.Text(h.document().documentId()));
        SortValue best = null;
        for (JsonNode v : field.path().values(h.document().fields())) {
            SortValue candidate;
            if (numeric && v.isNumber()) candidate = new SortValue.Number(v.asDouble());
            else if (!numeric && (v.isTextual() || v.isBoolean())) candidate = new SortValue.Text(FilterValues.term(v.asText()));
            else continue;
            if (best == null || (largest ? candidate.compareTo(best) > 0 : candidate.compareTo(best) < 0)) best = candidate;
        }
        return Optional.ofNullable(best);
    }

    /** A candidate's key for grouping and deduplication: its smallest number, or when it holds none its smallest term. */
    private static Optional<SortValue> key(ScoredDocument h, Field field) {
        Optional<SortValue> n = value(h, field, true, false);
        return n.isPresent() ? n : value(h, field, false, false);
    }

    /** Whether any candidate holds a number at the field: then the field sorts numerically, as the index decides per collection. */
    private static boolean numeric(List<ScoredDocument> in, Field field) {
        if (field.documentId()) return false;
        for (ScoredDocument h : in) {
            for (JsonNode v : field.path().values(h.document().fields())) if (v.isNumber()) return true;
        }
        return false;
    }

    /** A field a stage names: {@code document_id} or a path into the fields. */
    private record Field(boolean documentId, FieldPath path) {
        static Field of(String name) {
            if (name.equals("document_id")) return new Field(true, null);
            try {
                return new Field(false, FieldPath.parse(name));
            } catch (FieldPath.Invalid e) {
                throw LoupeException.invalid("field", e.getMessage());
            }
        }
    }

    /** One value of a field, ordered as the index orders it: numbers numerically, terms by code point. */
    private sealed interface SortValue extends Comparable<SortValue> {
        record Number(double value) implements SortValue {
        }

        record Text(String value) implements SortValue {
        }

        @Override
        default int compareTo(SortValue o) {
            return switch (this) {
                case Number a -> o instanceof Number b ? Double.compare(a.value(), b.value()) : -1;
                case Text a -> o instanceof Text b ? FilterValues.compareText(a.value(), b.value()) : 1;
            };
        }
    }

    /**
     * How many candidates hold each value at {@code path} (array elements counted one by
     * one), as {@code [{value, count}]}, most frequent first, ties by value, at most {@code limit}.
     */
    static ArrayNode facet(List<ScoredDocument> in, String path, int limit) {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, JsonNode> values = new HashMap<>();
        for (ScoredDocument h : in) {
            Set<String> seen = new HashSet<>();
            for (JsonNode v : FilterMatcher.values(h.document().fields(), path)) {
                if (v.isNull() || v.isContainerNode()) continue;
                String key = v.asText();
                if (!seen.add(key)) continue;
                values.putIfAbsent(key, v);
                counts.merge(key, 1, Integer::sum);
            }
        }
        ArrayNode out = Json.array();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .forEach(e -> {
                    ObjectNode entry = out.addObject();
                    entry.set("value", values.get(e.getKey()));
                    entry.put("count", e.getValue());
                });
        return out;
    }

    /**
     * Stable sort by a field, by the index's rule: numerically when any candidate holds a
     * number there (candidates holding none then sort as missing), else by terms; a
     * multi-valued field by its smallest value ascending and its largest descending; missing
     * values last either way.
     */
    static List<ScoredDocument> sortByField(List<ScoredDocument> in, String fieldName, boolean descending) {
        Field field = Field.of(fieldName);
        boolean numeric = numeric(in, field);
        Map<ScoredDocument, Optional<SortValue>> keys = new java.util.IdentityHashMap<>();
        for (ScoredDocument h : in) keys.put(h, value(h, field, numeric, descending));
        List<ScoredDocument> out = new ArrayList<>(in);
        out.sort((x, y) -> {
            Optional<SortValue> a = keys.get(x), b = keys.get(y);
            if (a.isEmpty() || b.isEmpty()) return a.isEmpty() ? (b.isEmpty() ? 0 : 1) : -1;
            return descending ? b.get().compareTo(a.get()) : a.get().compareTo(b.get());
        });
        return out;
    }

    static List<ScoredDocument> sortByScore(List<ScoredDocument> in, boolean descending) {
        List<ScoredDocument> out = new ArrayList<>(in);
        Comparator<ScoredDocument> byScore = Comparator.comparingDouble(ScoredDocument::score);
        out.sort(descending ? byScore.reversed() : byScore);
        return out;
    }

    /** Keeps the first candidate of each {@link #key}; candidates without one are all kept. */
    static List<ScoredDocument> deduplicate(List<ScoredDocument> in, String fieldName) {
        Field field = Field.of(fieldName);
        Set<SortValue> seen = new HashSet<>();
        List<ScoredDocument> out = new ArrayList<>();
        for (ScoredDocument h : in) {
            Optional<SortValue> v = key(h, field);
            if (v.isEmpty() || seen.add(v.get())) out.add(h);
        }
        return out;
    }

    /**
     * Groups by {@link #key} in order of first appearance, so a candidate with several values
     * joins one group; candidates without the field form one group of their own.
     */
    static List<ScoredDocument> groupBy(List<ScoredDocument> in, String fieldName, int maxPerGroup, int limit) {
        Field field = Field.of(fieldName);
        Map<Optional<SortValue>, List<ScoredDocument>> groups = new LinkedHashMap<>();
        for (ScoredDocument h : in) {
            List<ScoredDocument> g = groups.computeIfAbsent(key(h, field), k -> new ArrayList<>());
            if (g.size() < maxPerGroup) g.add(h);
        }
        List<ScoredDocument> out = new ArrayList<>();
        groups.values().stream().limit(limit).forEach(out::addAll);
        return out;
    }

    static List<ScoredDocument> normalize(List<ScoredDocument> in, Stage.Normalization method) {
        if (in.isEmpty()) return in;
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, sum = 0;
        for (ScoredDocument h : in) {
            min = Math.min(min, h.score());
            max = Math.max(max, h.score());
            sum += h.score();
        }
        double mean = sum / in.size(), var = 0;
        for (ScoredDocument h : in) var += (h.score() - mean) * (h.score() - mean);
        double sd = Math.sqrt(var / in.size());
        List<ScoredDocument> out = new ArrayList<>(in.size());
        for (ScoredDocument h : in) {
            double s = switch (method) {
                case ZSCORE -> sd == 0 ? 0 : (h.score() - mean) / sd;
                case MINMAX -> max == min ? 1 : (h.score() - min) / (max - min);
            };
            out.add(new ScoredDocument(h.document(), (float) s));
        }
        return out;
    }

    /**
     * A uniform random subset of {@code size} candidates, in their order, the same for the same
     * seed. SplittableRandom mixes its seed; java.util.Random's first draws for the small
     * consecutive seeds people choose (0, 1, 2, …) are nearly equal, which biased the subset.
     */
    static List<ScoredDocument> sample(List<ScoredDocument> in, int size, long seed) {
        if (size >= in.size()) return in;
        List<Integer> picks = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) picks.add(i);
        java.util.Collections.shuffle(picks, new java.util.SplittableRandom(seed));
        List<Integer> chosen = new ArrayList<>(picks.subList(0, size));
        chosen.sort(Integer::compare);
        return chosen.stream().map(in::get).toList();
    }

    /** The most candidates MMR chooses among, taken in their order: each pick compares every one. */
    static final int MMR_POOL = 2_000;

    /**
     * Greedy MMR on each candidate's first stored vector, among the first {@link #MMR_POOL}
     * candidates; candidates without vectors (or of another dimension) compete on score alone,
     * and ties go to the earlier candidate. Each candidate's highest similarity to the picked
     * set is kept and updated once per pick, so the cost is {@code topK × candidates × dimension}.
     */
    static List<ScoredDocument> mmr(List<ScoredDocument> in, double lambda, int topK) {
        int n = Math.min(in.size(), MMR_POOL);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) vectors[i] = firstVector(in.get(i));
        double[] redundancy = new double[n];
        boolean[] picked = new boolean[n];
        List<ScoredDocument> out = new ArrayList<>(Math.min(n, topK));
        while (out.size() < Math.min(n, topK)) {
            int best = -1;
            double bestValue = -Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                if (picked[i]) continue;
                double value = lambda * in.get(i).score() - (1 - lambda) * redundancy[i];
                if (best < 0 || value > bestValue) {
                    bestValue = value;
                    best = i;
                }
            }
            picked[best] = true;
            out.add(in.get(best));
            float[] w = vectors[best];
            if (w == null) continue;
            for (int i = 0; i < n; i++) {
                float[] v = vectors[i];
                if (!picked[i] && v != null && v.length == w.length) redundancy[i] = Math.max(redundancy[i], Vectors.dot(v, w));
            }
        }
        return out;
    }

    private static float[] firstVector(ScoredDocument h) {
        return h.document().vectors().values().stream().findFirst().orElse(null);
    }
}
