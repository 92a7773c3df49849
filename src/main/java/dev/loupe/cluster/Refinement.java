package dev.loupe.cluster;

import dev.loupe.catalog.ClusterDefinition.Edit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Loupe does to a library's labels before anyone sees them, in this order:
 * <ol>
 *   <li><b>Manual edits</b>, oldest first: a merge relabels the second anchor's cluster as the
 *       first's; a move puts the document with its anchor and pins it there. An anchor that is
 *       noise starts a cluster of its own. Edits naming documents no longer present are skipped.</li>
 *   <li><b>Cannot-link</b>: documents of one source object (two faces of one photo) never share a
 *       cluster. Within a cluster, of each such set the pinned member stays (or, with none pinned,
 *       the one nearest the centroid); each other member goes to the nearest other cluster whose
 *       radius (farthest member's distance from its centroid) reaches it and which holds nothing
 *       of that source object, or else becomes noise. A user who pins two faces of one photo into
 *       one cluster is obeyed.</li>
 *   <li>Clusters are renumbered by size, largest first.</li>
 * </ol>
 */
final class Refinement {
    private Refinement() {}

    /** Final labels ({@link Clusterer#NOISE} for noise) and which rows a manual edit pinned. */
    record Result(int[] labels, boolean[] pinned) {
    }

    /**
     * @param pinned   rows an earlier edit pinned (null: none)
     * @param renumber whether to renumber by size (an execution does; an edit keeps the ids users see)
     */
    static Result apply(float[][] rows, List<String> documentIds, List<String> sourceKeys, int[] libraryLabels, boolean[] pinned,
                        List<Edit> edits, boolean renumber) {
        int n = rows.length;
        int[] labels = libraryLabels.clone();
        pinned = pinned == null ? new boolean[n] : pinned.clone();
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < n; i++) row.put(documentIds.get(i), i);
        int next = Arrays.stream(labels).max().orElse(-1) + 1;
        for (Edit edit : edits) {
            switch (edit) {
                case Edit.Merge m -> {
                    Integer a = row.get(m.anchorDocumentId());
                    Integer b = row.get(m.otherAnchorDocumentId());
                    if (a == null || b == null) continue;
                    if (labels[a] == Clusterer.NOISE) labels[a] = next++;
                    if (labels[b] == Clusterer.NOISE) {
                        labels[b] = labels[a];
                        pinned[b] = true;
                        continue;
                    }
                    int from = labels[b];
                    for (int i = 0; i < n; i++) if (labels[i] == from) labels[i] = labels[a];
                }
                case Edit.Move m -> {
                    Integer d = row.get(m.documentId());
                    Integer a = row.get(m.anchorDocumentId());
                    if (d == null || a == null) continue;
                    if (labels[a] == Clusterer.NOISE) labels[a] = next++;
                    labels[d] = labels[a];
                    pinned[d] = true;
                }
            }
        }
        separateSources(rows, sourceKeys, labels, pinned);
        return new Result(renumber ? bySize(labels) : labels, pinned);
    }

    private static void separateSources(float[][] rows, List<String> keys, int[] labels, boolean[] pinned) {
        Map<Integer, List<Integer>> members = members(labels);
        Map<Integer, float[]> centroids = new HashMap<>();
        members.forEach((label, m) -> centroids.put(label, Vectors.centroid(rows, m)));
        Map<Integer, Double> radius = new HashMap<>();
        Map<Integer, Set<String>> keysIn = new HashMap<>();
        List<Integer> displaced = new ArrayList<>();
        for (var e : members.entrySet()) {
            float[] c = centroids.get(e.getKey());
            Map<String, List<Integer>> byKey = new HashMap<>();
            for (int i : e.getValue()) if (keys.get(i) != null) byKey.computeIfAbsent(keys.get(i), k -> new ArrayList<>()).add(i);
            Set<Integer> leaving = new HashSet<>();
            for (List<Integer> same : byKey.values()) {
                if (same.size() < 2) continue;
                List<Integer> stay = same.stream().filter(i -> pinned[i]).toList();
                if (stay.isEmpty()) stay = List.of(same.stream().min(Comparator.comparingDouble(i -> Vectors.cosineDistance(rows[i], c))).orElseThrow());
                for (int i : same) if (!stay.contains(i)) leaving.add(i);
            }
            double r = 0;
            Set<String> present = new HashSet<>();
            for (int i : e.getValue()) {
                if (leaving.contains(i)) continue;
                r = Math.max(r, Vectors.cosineDistance(rows[i], c));
                if (keys.get(i) != null) present.add(keys.get(i));
            }
            radius.put(e.getKey(), r);
            keysIn.put(e.getKey(), present);
            displaced.addAll(leaving);
        }
        displaced.sort(null);
        for (int i : displaced) {
            int from = labels[i];
            labels[i] = Clusterer.NOISE;
            double best = Double.POSITIVE_INFINITY;
            for (var e : centroids.entrySet()) {
                int label = e.getKey();
                if (label == from || keysIn.get(label).contains(keys.get(i))) continue;
                double d = Vectors.cosineDistance(rows[i], e.getValue());
                if (d <= radius.get(label) && d < best) {
                    best = d;
                    labels[i] = label;
                }
            }
            if (labels[i] != Clusterer.NOISE) keysIn.get(labels[i]).add(keys.get(i));
        }
    }

    static Map<Integer, List<Integer>> members(int[] labels) {
        Map<Integer, List<Integer>> out = new java.util.TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != Clusterer.NOISE) out.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        return out;
    }

    /** Labels renumbered 0.. by cluster size, largest first (ties: the cluster whose first member comes first). */
    private static int[] bySize(int[] labels) {
        List<List<Integer>> clusters = new ArrayList<>(members(labels).values());
        clusters.sort(Comparator.<List<Integer>>comparingInt(List::size).reversed().thenComparingInt(List::getFirst));
        int[] out = new int[labels.length];
        Arrays.fill(out, Clusterer.NOISE);
        for (int c = 0; c < clusters.size(); c++) for (int i : clusters.get(c)) out[i] = c;
        return out;
    }
}
