package dev.loupe.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A clustering algorithm with its parameters, named and ranged as Mixpeek's
 * {@code KMeansParams}, {@code DBSCANParams}, {@code HDBSCANParams} and {@code AgglomerativeParams}
 * name them. Parameters that only steer how scikit-learn computes the same answer
 * ({@code algorithm}, {@code leaf_size}, {@code n_jobs}, {@code verbose}…) are accepted and
 * have no effect; parameters asking for behaviour Loupe does not implement are refused with
 * a 422 naming them rather than silently ignored.
 */
public sealed interface ClusterMethod {
    /** Vectors are L2-normalised first; both metrics then order neighbours identically. */
    enum Metric { EUCLIDEAN, COSINE }

    enum Linkage { WARD, COMPLETE, AVERAGE, SINGLE }

    /** Mixpeek's {@code clustering_method} value. */
    String algorithm();

    /** The parameters with defaults filled in, as stored and shown. */
    ObjectNode toJson();

    /**
     * How far (cosine distance) from a cluster's centroid a document arriving after the
     * execution may lie and still join it, when that is farther than the cluster's own radius:
     * DBSCAN and a distance-threshold agglomeration reach as far as their distance parameter;
     * k-means and HDBSCAN have no distance of their own, so only the radius counts (a stranger
     * must not join the nearest person just because k-means gave every point a cluster).
     * Without this a DBSCAN cluster of two faces, whose radius is half their distance, would
     * take no new photo of its person.
     */
    double reach();

    /** A distance given in {@code metric} between unit vectors, as a cosine distance. */
    static double cosineDistance(double distance, Metric metric) {
        return metric == Metric.COSINE ? distance : distance * distance / 2;
    }

    record KMeans(int nClusters, int maxIter, long randomState, int nInit, double tol) implements ClusterMethod {
        public String algorithm() {
            return "kmeans";
        }

        public ObjectNode toJson() {
            return Json.object().put("n_clusters", nClusters).put("max_iter", maxIter).put("random_state", randomState)
                    .put("n_init", nInit).put("tol", tol).put("init", "k-means++");
        }

        public double reach() {
            return 0;
        }
    }

    record Dbscan(double eps, int minSamples, Metric metric) implements ClusterMethod {
        public String algorithm() {
            return "dbscan";
        }

        public ObjectNode toJson() {
            return Json.object().put("eps", eps).put("min_samples", minSamples).put("metric", Body.wireName(metric));
        }

        public double reach() {
            return ClusterMethod.cosineDistance(eps, metric);
        }
    }

    /** {@code minSamples} is the core-distance neighbour count, {@code min_cluster_size} when not given. */
    record Hdbscan(int minClusterSize, int minSamples, Metric metric) implements ClusterMethod {
        public String algorithm() {
            return "hdbscan";
        }

        public ObjectNode toJson() {
            return Json.object().put("min_cluster_size", minClusterSize).put("min_samples", minSamples)
                    .put("metric", Body.wireName(metric)).put("cluster_selection_method", "eom");
        }

        public double reach() {
            return 0;
        }
    }

    /** Exactly one of {@code nClusters} and {@code distanceThreshold} is set, as in scikit-learn. */
    record Agglomerative(Integer nClusters, Double distanceThreshold, Linkage linkage, Metric affinity) implements ClusterMethod {
        public String algorithm() {
            return "agglomerative";
        }

        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            if (nClusters == null) n.putNull("n_clusters"); else n.put("n_clusters", nClusters);
            if (distanceThreshold == null) n.putNull("distance_threshold"); else n.put("distance_threshold", distanceThreshold);
            return n.put("linkage", Body.wireName(linkage)).put("affinity", Body.wireName(affinity));
        }

        public double reach() {
            return distanceThreshold == null ? 0 : ClusterMethod.cosineDistance(distanceThreshold, affinity);
        }
    }

    int MAX_CLUSTERS = 1000;
    int MAX_N_INIT = 50;
    int MAX_MIN_SAMPLES = 1000;
    /** The largest distance between unit vectors, in either metric. */
    double MAX_DISTANCE = 2.0;

    /** Parses {@code algorithm}'s parameters at {@code path}; every refusal is a 422 naming the field. */
    static ClusterMethod parse(String algorithm, JsonNode params, String path) {
        Body p = Body.of(params, path);
        return switch (algorithm) {
            case "kmeans" -> {
                only(p, Set.of("n_clusters", "max_iter", "random_state", "n_init", "tol", "init", "verbose", "copy_x", "algorithm"));
                String init = p.optionalString("init").orElse("k-means++");
                if (!init.equals("k-means++")) throw p.invalid("init", "only 'k-means++' is supported, got '" + init + "'");
                oneOf(p, "algorithm", Set.of("lloyd", "elkan", "auto"));
                yield new KMeans(p.optionalInt("n_clusters", 2, MAX_CLUSTERS).orElse(8), p.optionalInt("max_iter", 1, 10_000).orElse(300),
                        p.has("random_state") ? p.optionalInt("random_state", Integer.MIN_VALUE, Integer.MAX_VALUE).orElseThrow() : 42,
                        p.optionalInt("n_init", 1, MAX_N_INIT).orElse(10), positive(p, "tol", 1e-4, Double.MAX_VALUE));
            }
            case "dbscan" -> {
                only(p, Set.of("eps", "min_samples", "metric", "metric_params", "algorithm", "leaf_size", "p", "n_jobs"));
                oneOf(p, "algorithm", Set.of("auto", "ball_tree", "kd_tree", "brute"));
                yield new Dbscan(positive(p, "eps", 0.5, MAX_DISTANCE), p.optionalInt("min_samples", 1, MAX_MIN_SAMPLES).orElse(5), metric(p, "metric"));
            }
            case "hdbscan" -> {
                only(p, Set.of("min_cluster_size", "min_samples", "cluster_selection_epsilon", "max_cluster_size", "metric", "alpha",
                        "cluster_selection_method", "allow_single_cluster", "prediction_data", "match_reference_implementation"));
                int size = p.optionalInt("min_cluster_size", 2, MAX_MIN_SAMPLES).orElse(5);
                if (p.optionalNumber("cluster_selection_epsilon").orElse(0.0) != 0.0) {
                    throw p.invalid("cluster_selection_epsilon", "only 0.0 is supported (Tribuo's HDBSCAN* has no epsilon selection)");
                }
                if (p.has("max_cluster_size")) throw p.invalid("max_cluster_size", "is not supported; leave it null");
                if (p.optionalNumber("alpha").orElse(1.0) != 1.0) throw p.invalid("alpha", "only 1.0 is supported");
                String selection = p.optionalString("cluster_selection_method").orElse("eom");
                if (!selection.equals("eom")) throw p.invalid("cluster_selection_method", "only 'eom' is supported, got '" + selection + "'");
                if (p.optionalBoolean("allow_single_cluster").orElse(false)) throw p.invalid("allow_single_cluster", "only false is supported");
                yield new Hdbscan(size, p.optionalInt("min_samples", 1, MAX_MIN_SAMPLES).orElse(size), metric(p, "metric"));
            }
            case "agglomerative" -> {
                only(p, Set.of("n_clusters", "affinity", "metric", "memory", "connectivity", "compute_full_tree", "linkage",
                        "distance_threshold", "compute_distances"));
                if (p.has("connectivity")) throw p.invalid("connectivity", "is not supported; leave it null");
                Double threshold = p.has("distance_threshold") ? positive(p, "distance_threshold", 0, Double.MAX_VALUE) : null;
                Integer n = p.node().has("n_clusters") ? p.optionalInt("n_clusters", 2, MAX_CLUSTERS).orElse(null)
                        : threshold == null ? Integer.valueOf(2) : null;
                if ((n == null) == (threshold == null)) {
                    throw p.invalid("n_clusters", "exactly one of n_clusters and distance_threshold must be set");
                }
                Linkage linkage = p.choice("linkage", Linkage.WARD);
                Metric affinity = metric(p, p.has("affinity") ? "affinity" : "metric");
                if (linkage == Linkage.WARD && affinity != Metric.EUCLIDEAN) {
                    throw p.invalid("affinity", "ward linkage works on euclidean distances only");
                }
                yield new Agglomerative(n, threshold, linkage, affinity);
            }
            default -> throw LoupeException.invalid("clustering_method", "must be one of [hdbscan, dbscan, kmeans, agglomerative], got '"
                    + algorithm + "'");
        };
    }

    /** The stored parameters of a definition; they were validated when it was created. */
    static ClusterMethod stored(String algorithm, ObjectNode params) {
        return parse(algorithm, params, "algorithm_params");
    }

    private static void only(Body p, Set<String> known) {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!known.contains(field)) throw p.invalid(field, "is not a parameter of this clustering method; known: " + known.stream().sorted().toList());
        }
    }

    private static void oneOf(Body p, String field, Set<String> allowed) {
        p.optionalString(field).ifPresent(v -> {
            if (!allowed.contains(v)) throw p.invalid(field, "must be one of " + allowed.stream().sorted().toList() + ", got '" + v + "'");
        });
    }

    private static double positive(Body p, String field, double fallback, double max) {
        double v = p.optionalNumber(field).orElse(fallback);
        if (!(v > 0) || v > max) throw p.invalid(field, "must be greater than 0 and at most " + max + ", got " + v);
        return v;
    }

    private static Metric metric(Body p, String field) {
        String given = p.optionalString(field).orElse("euclidean").toLowerCase(Locale.ROOT);
        return switch (given) {
            case "euclidean", "l2" -> Metric.EUCLIDEAN;
            case "cosine" -> Metric.COSINE;
            default -> throw p.invalid(field, "must be 'euclidean' or 'cosine', got '" + given + "'");
        };
    }
}
