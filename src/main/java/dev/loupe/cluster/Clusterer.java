package dev.loupe.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.Cluster;
import org.apache.commons.math3.ml.clustering.Clusterable;
import org.apache.commons.math3.ml.clustering.DBSCANClusterer;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.DistanceMeasure;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.JDKRandomGenerator;
import org.tribuo.MutableDataset;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.clustering.hdbscan.HdbscanTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.distance.CosineDistance;
import org.tribuo.math.distance.L2Distance;
import org.tribuo.math.neighbour.NeighboursQueryFactoryType;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Runs a {@link ClusterMethod} on unit vectors through its library: k-means++ (best of
 * {@code n_init} runs) and DBSCAN from Apache Commons Math, HDBSCAN* from Tribuo, and
 * agglomerative clustering from {@link Agglomerative} (neither library has one).
 * Labels are {@code 0..k-1}, or {@link #NOISE}.
 */
public final class Clusterer {
    public static final int NOISE = -1;

    private Clusterer() {}

    public static int[] labels(float[][] vectors, ClusterMethod method) {
        if (vectors.length == 0) return new int[0];
        return switch (method) {
            case ClusterMethod.KMeans k -> kmeans(vectors, k);
            case ClusterMethod.Dbscan d -> dbscan(vectors, d);
            case ClusterMethod.Hdbscan h -> hdbscan(vectors, h);
            case ClusterMethod.Agglomerative a -> Agglomerative.labels(vectors, a);
        };
    }

    /** A vector that remembers its row, so library clusters map back to documents. */
    private record Point(int row, double[] getPoint) implements Clusterable {
    }

    private static List<Point> points(float[][] vectors) {
        List<Point> out = new ArrayList<>(vectors.length);
        for (int i = 0; i < vectors.length; i++) out.add(new Point(i, doubles(vectors[i])));
        return out;
    }

    private static int[] kmeans(float[][] vectors, ClusterMethod.KMeans k) {
        if (vectors.length < k.nClusters()) {
            throw new IllegalArgumentException("n_clusters is " + k.nClusters() + " but only " + vectors.length + " documents were found");
        }
        // Best of n_init runs by inertia (the summed squared distance to the centroids), as
        // scikit-learn chooses; Commons Math's MultiKMeansPlusPlusClusterer ranks runs by the
        // unweighted sum of cluster variances, which can prefer two merged groups.
        var clusterer = new KMeansPlusPlusClusterer<Point>(k.nClusters(), k.maxIter(), new EuclideanDistance(),
                new JDKRandomGenerator((int) k.randomState()), KMeansPlusPlusClusterer.EmptyClusterStrategy.LARGEST_VARIANCE);
        List<Point> points = points(vectors);
        List<CentroidCluster<Point>> best = null;
        double bestInertia = Double.POSITIVE_INFINITY;
        for (int run = 0; run < k.nInit(); run++) {
            List<CentroidCluster<Point>> clusters = clusterer.cluster(points);
            double inertia = inertia(clusters);
            if (inertia < bestInertia) {
                bestInertia = inertia;
                best = clusters;
            }
        }
        return toLabels(vectors.length, best);
    }

    private static int[] dbscan(float[][] vectors, ClusterMethod.Dbscan d) {
        // Commons Math counts a point's neighbours without the point itself; scikit-learn's min_samples counts it.
        var clusterer = new DBSCANClusterer<Point>(d.eps(), d.minSamples() - 1, measure(d.metric()));
        return toLabels(vectors.length, clusterer.cluster(points(vectors)));
    }

    private static int[] hdbscan(float[][] vectors, ClusterMethod.Hdbscan h) {
        if (vectors.length < h.minClusterSize()) {
            int[] noise = new int[vectors.length];
            java.util.Arrays.fill(noise, NOISE);
            return noise;
        }
        ClusteringFactory factory = new ClusteringFactory();
        var data = new MutableDataset<ClusterID>(new SimpleDataSourceProvenance("loupe cluster execution", factory), factory);
        String[] names = new String[vectors[0].length];
        for (int j = 0; j < names.length; j++) names[j] = String.format("d%05d", j);
        for (float[] v : vectors) data.add(new ArrayExample<>(ClusteringFactory.UNASSIGNED_CLUSTER_ID, names, doubles(v)));
        var distance = h.metric() == ClusterMethod.Metric.COSINE ? new CosineDistance() : new L2Distance();
        int k = Math.min(h.minSamples(), vectors.length - 1);
        var trainer = new HdbscanTrainer(h.minClusterSize(), distance, Math.max(1, k), 1, NeighboursQueryFactoryType.BRUTE_FORCE);
        List<Integer> found = trainer.train(data).getClusterLabels();
        // Tribuo labels outliers 0 and clusters from 1, in no particular order: renumber densely.
        java.util.Map<Integer, Integer> dense = new java.util.HashMap<>();
        int[] labels = new int[vectors.length];
        for (int i = 0; i < labels.length; i++) {
            int label = found.get(i);
            labels[i] = label == 0 ? NOISE : dense.computeIfAbsent(label, x -> dense.size());
        }
        return labels;
    }

    private static double inertia(List<CentroidCluster<Point>> clusters) {
        double sum = 0;
        for (CentroidCluster<Point> c : clusters) {
            double[] centre = c.getCenter().getPoint();
            for (Point p : c.getPoints()) {
                for (int i = 0; i < centre.length; i++) {
                    double d = p.getPoint()[i] - centre[i];
                    sum += d * d;
                }
            }
        }
        return sum;
    }

    private static <C extends Cluster<Point>> int[] toLabels(int n, List<C> clusters) {
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, NOISE);
        for (int c = 0; c < clusters.size(); c++) {
            for (Point p : clusters.get(c).getPoints()) labels[p.row()] = c;
        }
        return labels;
    }

    private static DistanceMeasure measure(ClusterMethod.Metric metric) {
        return switch (metric) {
            case EUCLIDEAN -> new EuclideanDistance();
            case COSINE -> (a, b) -> {
                double dot = 0;
                for (int i = 0; i < a.length; i++) dot += a[i] * b[i];
                return Math.max(0, 1 - dot);
            };
        };
    }

    private static double[] doubles(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
