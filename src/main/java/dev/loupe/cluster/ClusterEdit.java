package dev.loupe.cluster;

import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies new manual edits to a completed run at once, so that a user sees a merge or a move
 * without executing again: the run's placements are the labels, {@link Refinement} applies the
 * edits (and cannot-link) without renumbering, and centroids, radii, distances and every
 * placed document's enrichment fields are recomputed from the documents' vectors.
 */
final class ClusterEdit {
    private final DocumentIndex index;
    private final ClusterJob job;

    ClusterEdit(DocumentIndex index, ClusterJob job) {
        this.index = index;
        this.job = job;
    }

    ClusterRun apply(ClusterDefinition def, ClusterRun run, List<ClusterDefinition.Edit> edits) {
        List<IndexedDocument> docs = new ArrayList<>();
        List<ClusterRun.Placement> before = new ArrayList<>();
        Map<String, String> names = new java.util.HashMap<>();
        for (var e : run.placements().entrySet()) {
            String name = names.computeIfAbsent(e.getValue().collectionId(), c -> job.vectorName(def, c));
            index.get(e.getValue().collectionId(), e.getKey()).filter(d -> d.vectors().containsKey(name)).ifPresent(d -> {
                docs.add(d);
                before.add(e.getValue());
            });
        }
        int n = docs.size();
        float[][] rows = new float[n][];
        int[] labels = new int[n];
        boolean[] pinned = new boolean[n];
        for (int i = 0; i < n; i++) {
            IndexedDocument d = docs.get(i);
            rows[i] = Vectors.normalised(d.vectors().get(names.get(d.collectionId())));
            String cluster = before.get(i).clusterId();
            labels[i] = cluster == null ? Clusterer.NOISE : Integer.parseInt(cluster.substring("cl_".length()));
            pinned[i] = before.get(i).pinned();
        }
        List<String> ids = docs.stream().map(IndexedDocument::documentId).toList();
        List<String> keys = before.stream().map(ClusterRun.Placement::sourceKey).toList();
        Refinement.Result refined = Refinement.apply(rows, ids, keys, labels, pinned, edits, false);
        Placements.Outcome outcome = Placements.of(docs, rows, keys, refined);
        job.write(docs, outcome.placements(), outcome.groups());
        return run.withResult(outcome.groups(), outcome.placements());
    }
}
