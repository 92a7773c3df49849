package dev.loupe.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Body;
import java.util.List;

/**
 * A validated {@code CreateClusterRequest}: vector clustering of one feature over one or more
 * collections. Mixpeek's {@code feature_uris} (one entry) and the deprecated {@code feature_uri}
 * are both read, and so are the deprecated per-method parameter objects when
 * {@code algorithm_params} is absent.
 */
public record ClusterConfig(String clusterName, String description, List<String> collectionRefs, String featureUri,
                            ClusterMethod method, Integer sampleSize, JsonNode filters) {
    /** Collections in one clustering. */
    public static final int MAX_COLLECTIONS = 16;

    public static ClusterConfig parse(Body body) {
        List<String> collections = body.strings("collection_ids");
        if (collections.isEmpty()) throw body.invalid("collection_ids", "at least one collection is required");
        if (collections.size() > MAX_COLLECTIONS) throw body.invalid("collection_ids", "at most " + MAX_COLLECTIONS + " collections");
        String type = body.optionalString("cluster_type").orElse("vector");
        if (type.equals("attribute")) throw body.invalid("cluster_type", "attribute clustering is not supported; use 'vector'");
        if (!type.equals("vector")) throw body.invalid("cluster_type", "must be 'vector' or 'attribute', got '" + type + "'");
        Body vector = body.optionalObject("vector_config").orElseThrow(() -> body.invalid("vector_config", "is required when cluster_type is 'vector'"));
        String algorithm = vector.requiredString("clustering_method");
        if (!List.of("hdbscan", "dbscan", "kmeans", "agglomerative").contains(algorithm)) {
            throw vector.invalid("clustering_method", "must be one of [hdbscan, dbscan, kmeans, agglomerative], got '" + algorithm + "'");
        }
        String paramsField = vector.has("algorithm_params") ? "algorithm_params" : algorithm + "_parameters";
        ClusterMethod method = ClusterMethod.parse(algorithm, vector.raw(paramsField), vector.path() + "." + paramsField);
        List<String> uris = vector.strings("feature_uris");
        if (uris.size() > 1) throw vector.invalid("feature_uris", "clustering over several features is not supported; give one");
        String uri = uris.isEmpty() ? vector.optionalString("feature_uri").orElse(null) : uris.getFirst();
        Integer sample = vector.optionalInt("sample_size", 2, ClusterJob.MAX_DOCUMENTS).orElse(null);
        String name = body.has("cluster_name") ? body.requiredName("cluster_name") : null;
        if (body.optionalObject("llm_labeling").flatMap(l -> l.optionalBoolean("enabled")).orElse(false)) {
            throw body.invalid("llm_labeling.enabled", "LLM labeling is not supported; clusters are labelled 'Cluster <n>'");
        }
        String description = body.optionalString("description").orElse(null);
        if (description != null && description.length() > 4096) throw body.invalid("description", "at most 4096 characters");
        JsonNode filters = body.raw("filters");
        if (filters != null) dev.loupe.filter.FilterParser.parseStatic(filters, "filters");
        return new ClusterConfig(name, description, collections, uri, method, sample, filters);
    }
}
