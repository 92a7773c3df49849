package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.index.ScoredDocument;
import dev.loupe.inference.Vectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The in-memory operations of the stages that reorder or reduce a candidate list. */
final class CandidateOps {
    private CandidateOps() {}

    /** The value at a dot path of a candidate's fields, or null. */
    static JsonNode value(ScoredDocument h, String path) {
        JsonNode cur = h.document().fields();
        if (path.equals("document_id")) return com.fasterxml.jackson.databind.node.TextNode.valueOf(h.document().documentId());
        for (String part : path.split("\\.")) {
            cur = cur == null ? null : cur.get(part);
        }
        return cur == null || cur.isMissingNode() || cur.isNull() ? null : cur;
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

    /** Stable sort by a field: numbers numerically, other values as text; missing values last either way. */
    static List<ScoredDocument> sortByField(List<ScoredDocument> in, String field, boolean descending) {
        Comparator<JsonNode> order = (a, b) -> a.isNumber() && b.isNumber() ? Double.compare(a.asDouble(), b.asDouble())
                : a.asText().compareTo(b.asText());
        if (descending) order = order.reversed();
        Comparator<JsonNode> finalOrder = order;
        List<ScoredDocument> out = new ArrayList<>(in);
        out.sort((x, y) -> {
            JsonNode a = value(x, field), b = value(y, field);
            if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
            return finalOrder.compare(a, b);
        });
        return out;
    }

    static List<ScoredDocument> sortByScore(List<ScoredDocument> in, boolean descending) {
        List<ScoredDocument> out = new ArrayList<>(in);
        Comparator<ScoredDocument> byScore = Comparator.comparingDouble(ScoredDocument::score);
        out.sort(descending ? byScore.reversed() : byScore);
        return out;
    }

    static List<ScoredDocument> deduplicate(List<ScoredDocument> in, String field) {
        Set<String> seen = new HashSet<>();
        List<ScoredDocument> out = new ArrayList<>();
        for (ScoredDocument h : in) {
            JsonNode v = value(h, field);
            if (v == null || seen.add(v.toString())) out.add(h);
        }
        return out;
    }

    /** Groups in order of first appearance; candidates without the field form one group of their own. */
    static List<ScoredDocument> groupBy(List<ScoredDocument> in, String field, int maxPerGroup, int limit) {
        Map<String, List<ScoredDocument>> groups = new LinkedHashMap<>();
        for (ScoredDocument h : in) {
            JsonNode v = value(h, field);
            List<ScoredDocument> g = groups.computeIfAbsent(v == null ? "\u0000missing" : v.toString(), k -> new ArrayList<>());
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
