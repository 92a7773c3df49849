package dev.loupe.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.index.IndexedDocument;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns refined labels into what is stored and written: each cluster's centroid, size and
 * radius, each document's placement, and the enrichment fields ({@code cluster_id},
 * {@code cluster_label}, {@code distance_to_centroid}: cosine distance to the centroid) set on
 * the document. Noise gets the three fields as null, so {@code is_null} finds it.
 */
final class Placements {
    static final String CLUSTER_ID = "cluster_id";
    static final String CLUSTER_LABEL = "cluster_label";
    static final String DISTANCE = "distance_to_centroid";

    private Placements() {}

    record Outcome(List<ClusterRun.Group> groups, Map<String, ClusterRun.Placement> placements) {
    }

    static String clusterId(int label) {
        return "cl_" + label;
    }

    static String label(int label) {
        return "Cluster " + label;
    }

    static Outcome of(List<IndexedDocument> docs, float[][] rows, List<String> keys, Refinement.Result refined) {
        Map<Integer, List<Integer>> members = Refinement.members(refined.labels());
        Map<Integer, float[]> centroids = new HashMap<>();
        Map<Integer, Double> radius = new HashMap<>();
        Map<String, ClusterRun.Placement> placed = new LinkedHashMap<>();
        for (int i = 0; i < docs.size(); i++) {
            int label = refined.labels()[i];
            IndexedDocument d = docs.get(i);
            if (label == Clusterer.NOISE) {
                placed.put(d.documentId(), new ClusterRun.Placement(d.collectionId(), null, 0, keys.get(i), refined.pinned()[i]));
                continue;
            }
            float[] c = centroids.computeIfAbsent(label, l -> Vectors.centroid(rows, members.get(l)));
            double distance = Vectors.cosineDistance(rows[i], c);
            radius.merge(label, distance, Math::max);
            placed.put(d.documentId(), new ClusterRun.Placement(d.collectionId(), clusterId(label), distance, keys.get(i), refined.pinned()[i]));
        }
        List<ClusterRun.Group> groups = new ArrayList<>();
        for (var e : members.entrySet()) {
            int label = e.getKey();
            groups.add(new ClusterRun.Group(clusterId(label), label(label), centroids.get(label), e.getValue().size(), radius.get(label)));
        }
        return new Outcome(groups, placed);
    }

    /** The document with its enrichment fields set as {@code placement} says, in a copy. */
    static IndexedDocument enriched(IndexedDocument d, ClusterRun.Placement placement, List<ClusterRun.Group> groups) {
        ObjectNode fields = d.fields().deepCopy();
        write(fields, placement, groups);
        return new IndexedDocument(d.documentId(), d.collectionId(), fields, d.vectors());
    }

    static void write(ObjectNode fields, ClusterRun.Placement placement, List<ClusterRun.Group> groups) {
        if (placement == null || placement.clusterId() == null) {
            fields.putNull(CLUSTER_ID).putNull(CLUSTER_LABEL).putNull(DISTANCE);
            return;
        }
        String label = groups.stream().filter(g -> g.clusterId().equals(placement.clusterId())).findFirst()
                .map(ClusterRun.Group::label).orElse(null);
        fields.put(CLUSTER_ID, placement.clusterId()).put(CLUSTER_LABEL, label).put(DISTANCE, placement.distance());
    }

    static void clear(ObjectNode fields) {
        fields.remove(List.of(CLUSTER_ID, CLUSTER_LABEL, DISTANCE));
    }

    /** The source object a document came from: its root object, else its source object. */
    static String sourceKey(IndexedDocument d) {
        var root = d.fields().path("root_object_id");
        if (root.isTextual()) return root.asText();
        var source = d.fields().path("source_object_id");
        return source.isTextual() ? source.asText() : null;
    }
}
