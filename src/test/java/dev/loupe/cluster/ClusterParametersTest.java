package dev.loupe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import org.junit.jupiter.api.Test;

/** Parameters out of Mixpeek's ranges, or asking for what Loupe does not do, are a 422 naming the field. */
class ClusterParametersTest {
    private static LoupeException.Invalid refused(String body) {
        return assertThrows(LoupeException.Invalid.class, () -> ClusterConfig.parse(Body.of(Json.parseRequest(body))));
    }

    private static String vector(String method, String params) {
        return "{\"collection_ids\": [\"c\"], \"vector_config\": {\"clustering_method\": \"" + method + "\", \"algorithm_params\": " + params + "}}";
    }

    @Test
    void outOfRangeParametersNameTheirField() {
        assertEquals("vector_config.algorithm_params.n_clusters", refused(vector("kmeans", "{\"n_clusters\": 1}")).field());
        assertEquals("vector_config.algorithm_params.n_clusters", refused(vector("kmeans", "{\"n_clusters\": 1001}")).field());
        assertEquals("vector_config.algorithm_params.eps", refused(vector("dbscan", "{\"eps\": 0}")).field());
        assertEquals("vector_config.algorithm_params.eps", refused(vector("dbscan", "{\"eps\": 2.5}")).field());
        assertEquals("vector_config.algorithm_params.min_samples", refused(vector("dbscan", "{\"min_samples\": 0}")).field());
        assertEquals("vector_config.algorithm_params.min_cluster_size", refused(vector("hdbscan", "{\"min_cluster_size\": 1}")).field());
        assertEquals("vector_config.algorithm_params.distance_threshold",
                refused(vector("agglomerative", "{\"n_clusters\": null, \"distance_threshold\": -1}")).field());
        assertEquals("vector_config.algorithm_params.max_iter", refused(vector("kmeans", "{\"max_iter\": \"many\"}")).field());
    }

    @Test
    void unsupportedBehaviourIsRefusedNotIgnored() {
        assertEquals("vector_config.algorithm_params.cluster_selection_method",
                refused(vector("hdbscan", "{\"cluster_selection_method\": \"leaf\"}")).field());
        assertEquals("vector_config.algorithm_params.init", refused(vector("kmeans", "{\"init\": \"random\"}")).field());
        assertEquals("vector_config.algorithm_params.metric", refused(vector("dbscan", "{\"metric\": \"manhattan\"}")).field());
        assertEquals("vector_config.algorithm_params.affinity", refused(vector("agglomerative", "{\"affinity\": \"cosine\"}")).field());
        assertEquals("vector_config.algorithm_params.n_clusters",
                refused(vector("agglomerative", "{\"n_clusters\": 3, \"distance_threshold\": 0.4}")).field());
        assertEquals("vector_config.algorithm_params.n_cluster", refused(vector("kmeans", "{\"n_cluster\": 3}")).field());
        assertEquals("vector_config.clustering_method", refused(vector("spectral", "{}")).field());
        assertEquals("cluster_type", refused("{\"collection_ids\": [\"c\"], \"cluster_type\": \"attribute\"}").field());
    }

    @Test
    void requestShapeErrorsNameTheirField() {
        assertEquals("collection_ids", refused("{\"collection_ids\": [], \"vector_config\": {\"clustering_method\": \"kmeans\"}}").field());
        assertEquals("vector_config", refused("{\"collection_ids\": [\"c\"]}").field());
        assertEquals("vector_config.sample_size",
                refused("{\"collection_ids\": [\"c\"], \"vector_config\": {\"clustering_method\": \"kmeans\", \"sample_size\": 10001}}").field());
        assertEquals("vector_config.feature_uris", refused("{\"collection_ids\": [\"c\"], \"vector_config\": {\"clustering_method\": \"kmeans\","
                + " \"feature_uris\": [\"mixpeek://a@v1/x\", \"mixpeek://b@v1/y\"]}}").field());
    }

    @Test
    void defaultsAreMixpeeksAndDeprecatedParameterObjectsAreRead() {
        ClusterConfig c = ClusterConfig.parse(Body.of(Json.parseRequest(
                "{\"collection_ids\": [\"c\"], \"vector_config\": {\"clustering_method\": \"hdbscan\", \"hdbscan_parameters\": {\"min_cluster_size\": 3}}}")));
        assertEquals(new ClusterMethod.Hdbscan(3, 3, ClusterMethod.Metric.EUCLIDEAN), c.method());
        ClusterConfig k = ClusterConfig.parse(Body.of(Json.parseRequest(vector("kmeans", "{}"))));
        assertEquals(new ClusterMethod.KMeans(8, 300, 42, 10, 1e-4), k.method());
        ClusterConfig a = ClusterConfig.parse(Body.of(Json.parseRequest(vector("agglomerative", "{\"distance_threshold\": 0.7}"))));
        assertEquals(new ClusterMethod.Agglomerative(null, 0.7, ClusterMethod.Linkage.WARD, ClusterMethod.Metric.EUCLIDEAN), a.method());
        assertTrue(refused(vector("kmeans", "{\"n_clusters\": 1}")).getMessage().contains("between 2 and 1000"));
    }
}
