package dev.loupe.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Hierarchical agglomerative clustering with ward, complete, average or single linkage, by
 * the nearest-neighbour chain algorithm (O(n²) time, a condensed float distance matrix of
 * n(n−1)/2 entries): neither Commons Math nor Tribuo has one. Merges are then sorted by
 * distance, which for these (reducible) linkages gives the dendrogram scipy and scikit-learn
 * build, and cut at {@code n_clusters} or below {@code distance_threshold}.
 */
final class Agglomerative {
    /** Bounds the distance matrix at about 32 MB. */
    static final int MAX_POINTS = 4_000;

    private record Merge(int a, int b, double distance) {
    }

    private Agglomerative() {}

    static int[] labels(float[][] v, ClusterMethod.Agglomerative p) {
        int n = v.length;
        if (n > MAX_POINTS) throw new IllegalArgumentException("agglomerative clustering takes at most " + MAX_POINTS + " documents, got " + n);
        float[] d = distances(v, p.affinity());
        List<Merge> merges = chain(d, n, p.linkage());
        merges.sort(Comparator.comparingDouble(Merge::distance));
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        int clusters = n;
        for (Merge m : merges) {
            boolean more = p.nClusters() != null ? clusters > p.nClusters() : m.distance() < p.distanceThreshold();
            if (!more) break;
            parent[find(parent, m.a())] = find(parent, m.b());
            clusters--;
        }
        int[] labels = new int[n];
        int[] dense = new int[n];
        Arrays.fill(dense, -1);
        int next = 0;
        for (int i = 0; i < n; i++) {
            int root = find(parent, i);
            if (dense[root] < 0) dense[root] = next++;
            labels[i] = dense[root];
        }
        return labels;
    }

    private static List<Merge> chain(float[] d, int n, ClusterMethod.Linkage linkage) {
        boolean[] active = new boolean[n];
        Arrays.fill(active, true);
        int[] size = new int[n];
        Arrays.fill(size, 1);
        int[] stack = new int[n];
        int top = 0;
        List<Merge> merges = new ArrayList<>(n - 1);
        for (int remaining = n; remaining > 1; remaining--) {
            if (top == 0) stack[top++] = first(active);
            int x;
            int y;
            double dxy;
            while (true) {
                x = stack[top - 1];
                int previous = top >= 2 ? stack[top - 2] : -1;
                int best = previous;
                double bestD = previous >= 0 ? d[at(n, x, previous)] : Double.POSITIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    if (!active[k] || k == x) continue;
                    double dk = d[at(n, x, k)];
                    if (dk < bestD) {
                        bestD = dk;
                        best = k;
                    }
                }
                if (best == previous) {
                    y = previous;
                    dxy = bestD;
                    top -= 2;
                    break;
                }
                stack[top++] = best;
            }
            merges.add(new Merge(x, y, dxy));
            // The union keeps y's slot; x leaves.
            active[x] = false;
            for (int k = 0; k < n; k++) {
                if (!active[k] || k == y) continue;
                int xk = at(n, x, k);
                int yk = at(n, y, k);
                d[yk] = (float) update(linkage, d[xk], d[yk], dxy, size[x], size[y], size[k]);
            }
            size[y] += size[x];
        }
        return merges;
    }

    /** The Lance–Williams distance from cluster k to the union of x and y. */
    private static double update(ClusterMethod.Linkage linkage, double dxk, double dyk, double dxy, int nx, int ny, int nk) {
        return switch (linkage) {
            case SINGLE -> Math.min(dxk, dyk);
            case COMPLETE -> Math.max(dxk, dyk);
            case AVERAGE -> (nx * dxk + ny * dyk) / (nx + ny);
            case WARD -> Math.sqrt(Math.max(0, ((nx + nk) * dxk * dxk + (ny + nk) * dyk * dyk - nk * dxy * dxy) / (nx + ny + nk)));
        };
    }

    private static float[] distances(float[][] v, ClusterMethod.Metric metric) {
        int n = v.length;
        float[] d = new float[Math.max(0, n * (n - 1) / 2)];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double cos = Vectors.dot(v[i], v[j]);
                d[at(n, i, j)] = (float) switch (metric) {
                    case EUCLIDEAN -> Math.sqrt(Math.max(0, 2 - 2 * cos));
                    case COSINE -> Math.max(0, 1 - cos);
                };
            }
        }
        return d;
    }

    private static int at(int n, int i, int j) {
        if (i > j) {
            int t = i;
            i = j;
            j = t;
        }
        return (int) ((long) i * n - (long) i * (i + 1) / 2 + (j - i - 1));
    }

    private static int first(boolean[] active) {
        for (int i = 0; i < active.length; i++) if (active[i]) return i;
        throw new IllegalStateException("no active cluster");
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
