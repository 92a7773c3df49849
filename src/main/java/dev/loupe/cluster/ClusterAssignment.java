package dev.loupe.cluster;

import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Kind;
import dev.loupe.index.IndexedDocument;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Places documents that arrive after an execution without clustering again: each joins the
 * nearest cluster (cosine distance to its centroid) whose radius or the method's
 * {@linkplain ClusterMethod#reach reach} takes it in, and which holds no
 * document of the same source object; otherwise it is noise until the next execution. Every
 * clustering of the namespace that covers the collection and has a completed run takes part,
 * oldest first, so with two the later one's fields win. Centroids and radii are left as the
 * execution computed them; member counts grow.
 */
public final class ClusterAssignment {
    private final Catalog catalog;
    private final ClusterJob job;
    private final java.util.concurrent.locks.Lock runs;

    ClusterAssignment(Catalog catalog, ClusterJob job, java.util.concurrent.locks.Lock runs) {
        this.catalog = catalog;
        this.job = job;
        this.runs = runs;
    }

    /**
     * The documents with {@code cluster_id}, {@code cluster_label} and {@code distance_to_centroid}
     * set (copies; the input is not changed), for the caller to write; the runs record the placements.
     * Documents without the clustered vector come back unchanged, and so do all while their
     * clustering executes: the execution's result replaces the run they would be placed in.
     */
    public List<IndexedDocument> assign(String namespaceId, String collectionId, List<IndexedDocument> docs) {
        runs.lock();
        try {
            return assignLocked(namespaceId, collectionId, docs);
        } finally {
            runs.unlock();
        }
    }

    private List<IndexedDocument> assignLocked(String namespaceId, String collectionId, List<IndexedDocument> docs) {
        List<IndexedDocument> out = new ArrayList<>(docs);
        for (ClusterDefinition def : catalog.list(Kind.CLUSTER, namespaceId, null, 1_000, 0)) {
            if (!def.collectionIds().contains(collectionId) || def.lastRunId() == null) continue;
            Optional<ClusterRun> run = catalog.find(Kind.CLUSTER_RUN, namespaceId, def.lastRunId())
                    .filter(r -> r.status() == ClusterRun.Status.COMPLETED);
            if (run.isEmpty()) continue;
            String name = job.vectorName(def, collectionId);
            double reach = ClusterMethod.stored(def.algorithm(), def.algorithmParams()).reach();
            Map<String, ClusterRun.Placement> placed = new LinkedHashMap<>(run.get().placements());
            // A document written again (reprocessed) is placed afresh, not kept from by its old self.
            for (IndexedDocument d : out) placed.remove(d.documentId());
            Map<String, Set<String>> bySource = clustersBySource(placed);
            for (int i = 0; i < out.size(); i++) {
                IndexedDocument d = out.get(i);
                float[] v = d.vectors().get(name);
                if (v == null) continue;
                ClusterRun.Placement p = place(d, Vectors.normalised(v), run.get().groups(), reach, bySource);
                placed.put(d.documentId(), p);
                out.set(i, Placements.enriched(d, p, run.get().groups()));
            }
            List<ClusterRun.Group> groups = counted(run.get().groups(), placed);
            catalog.update(Kind.CLUSTER_RUN, run.get().runId(), null, run.get().withResult(groups, placed));
        }
        return out;
    }

    /** Source object → the clusters already holding one of its documents. */
    static Map<String, Set<String>> clustersBySource(Map<String, ClusterRun.Placement> placed) {
        Map<String, Set<String>> out = new java.util.HashMap<>();
        for (ClusterRun.Placement p : placed.values()) {
            if (p.sourceKey() != null && p.clusterId() != null) out.computeIfAbsent(p.sourceKey(), k -> new HashSet<>()).add(p.clusterId());
        }
        return out;
    }

    /**
     * Where {@code d} (vector {@code v}, unit length) goes among {@code groups}: the nearest whose
     * radius, or the method's {@linkplain ClusterMethod#reach reach}, takes it in; {@code bySource}
     * ({@link #clustersBySource}) is updated with the answer.
     */
    static ClusterRun.Placement place(IndexedDocument d, float[] v, List<ClusterRun.Group> groups, double reach,
                                      Map<String, Set<String>> bySource) {
        String key = Placements.sourceKey(d);
        Set<String> taken = key == null ? Set.of() : bySource.getOrDefault(key, Set.of());
        ClusterRun.Group best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (ClusterRun.Group g : groups) {
            double distance = Vectors.cosineDistance(v, g.centroid());
            if (distance <= Math.max(g.radius(), reach) && distance < bestDistance && !taken.contains(g.clusterId())) {
                best = g;
                bestDistance = distance;
            }
        }
        if (best == null) return new ClusterRun.Placement(d.collectionId(), null, 0, key, false);
        if (key != null) bySource.computeIfAbsent(key, k -> new HashSet<>()).add(best.clusterId());
        return new ClusterRun.Placement(d.collectionId(), best.clusterId(), bestDistance, key, false);
    }

    static List<ClusterRun.Group> counted(List<ClusterRun.Group> groups, Map<String, ClusterRun.Placement> placed) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (ClusterRun.Placement p : placed.values()) if (p.clusterId() != null) counts.merge(p.clusterId(), 1, Integer::sum);
        return groups.stream().map(g -> new ClusterRun.Group(g.clusterId(), g.label(), g.centroid(), counts.getOrDefault(g.clusterId(), 0),
                g.radius())).toList();
    }
}
