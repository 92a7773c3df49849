package dev.loupe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.api.Json;
import org.junit.jupiter.api.Test;

/** Each method, through its library, finds known groups exactly: purity 1.0 and as many clusters as groups. */
class ClusterMethodsTest {
    private static final Groups SEVEN = Groups.of(7, 12, 32, 0.05, 11);

    private static int[] run(String algorithm, String params) {
        return Clusterer.labels(SEVEN.vectors(), ClusterMethod.parse(algorithm, Json.parseRequest(params), "algorithm_params"));
    }

    private static void assertFindsTheGroups(int[] found) {
        assertEquals(7, Groups.clusters(found));
        assertEquals(1.0, Groups.purity(found, SEVEN.truth()));
    }

    @Test
    void kmeansFindsSevenGroupsWithPurityOne() {
        assertFindsTheGroups(run("kmeans", "{\"n_clusters\": 7, \"random_state\": 3}"));
    }

    @Test
    void dbscanFindsSevenGroupsWithPurityOneAndNoNoise() {
        assertFindsTheGroups(run("dbscan", "{\"eps\": 0.6, \"min_samples\": 3}"));
    }

    @Test
    void dbscanWithCosineMetricReadsEpsAsCosineDistance() {
        assertFindsTheGroups(run("dbscan", "{\"eps\": 0.2, \"min_samples\": 3, \"metric\": \"cosine\"}"));
    }

    @Test
    void hdbscanFindsSevenGroupsWithPurityOne() {
        assertFindsTheGroups(run("hdbscan", "{\"min_cluster_size\": 5}"));
    }

    @Test
    void hdbscanWithCosineMetricFindsTheSameGroups() {
        assertFindsTheGroups(run("hdbscan", "{\"min_cluster_size\": 5, \"metric\": \"cosine\"}"));
    }

    @Test
    void agglomerativeFindsSevenGroupsWithEveryLinkage() {
        for (String linkage : new String[] {"ward", "complete", "average", "single"}) {
            assertFindsTheGroups(run("agglomerative", "{\"n_clusters\": 7, \"linkage\": \"" + linkage + "\"}"));
        }
    }

    @Test
    void agglomerativeCutAtADistanceThresholdFindsTheGroupsWithoutBeingToldHowMany() {
        assertFindsTheGroups(run("agglomerative", "{\"n_clusters\": null, \"distance_threshold\": 0.5, \"linkage\": \"average\", \"affinity\": \"cosine\"}"));
    }

    @Test
    void dbscanCallsAPointNoiseWhenFewerThanMinSamplesIncludingItselfAreNear() {
        // Three tight points and one far away: with min_samples 3 (the point itself counted, as
        // scikit-learn counts it) the three form a cluster and the loner is noise.
        float[][] v = {Vectors.normalised(new float[] {1, 0.01f, 0}), Vectors.normalised(new float[] {1, 0, 0.01f}),
                Vectors.normalised(new float[] {1, 0, 0}), new float[] {0, 0, 1}};
        int[] found = Clusterer.labels(v, new ClusterMethod.Dbscan(0.1, 3, ClusterMethod.Metric.EUCLIDEAN));
        assertEquals(java.util.List.of(0, 0, 0, Clusterer.NOISE), java.util.Arrays.stream(found).boxed().toList());
    }
}
