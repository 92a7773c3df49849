package dev.loupe.testing;

import java.util.SplittableRandom;

/**
 * Unit vectors with the structure of real embeddings, generated on demand from a seed:
 * clusters inside super-clusters, in an anisotropic space whose per-dimension spread
 * decays like an embedding's PCA spectrum, and within each cluster variation along a
 * shared {@value #LATENT}-dimensional subspace plus a little isotropic noise (real
 * embeddings have a low intrinsic dimension). Uniform random vectors have no neighbours
 * worth the name and make every approximate index look broken; these do.
 *
 * <p>Document {@code i} and query {@code j} are pure functions of the seed, so a
 * benchmark can regenerate its data instead of storing it.
 */
public final class ClusteredVectors {
    private static final int LATENT = 64;
    private static final double SPREAD = 0.6;
    private static final double NOISE = 0.5;
    private static final double SUB_SPREAD = 0.9;
    private static final double MODALITY_GAP = 2.0;

    private final int dimension;
    private final long seed;
    private final float[][] centers;
    private final float[][] basis;
    private final float[] gap;
    private final double[] spectrum;

    public ClusteredVectors(int dimension, int clusters, long seed) {
        this.dimension = dimension;
        this.seed = seed;
        this.spectrum = new double[dimension];
        for (int k = 0; k < dimension; k++) spectrum[k] = Math.pow(1 + k, -0.35);
        int superClusters = Math.max(1, clusters / 10);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] supers = new float[superClusters][];
        for (int s = 0; s < superClusters; s++) supers[s] = shaped(rnd, 1.0);
        centers = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            float[] v = shaped(rnd, SUB_SPREAD);
            float[] sup = supers[c % superClusters];
            for (int k = 0; k < dimension; k++) v[k] += sup[k];
            centers[c] = normalise(v);
        }
        basis = new float[LATENT][];
        for (int b = 0; b < LATENT; b++) basis[b] = shaped(rnd, 1.0);
        // Isotropic, unlike the data's variation: images differ little along the gap.
        gap = new float[dimension];
        for (int k = 0; k < dimension; k++) gap[k] = (float) rnd.nextGaussian();
        normalise(gap);
    }

    public int dimension() {
        return dimension;
    }

    /** The cluster document {@code i} is drawn around: the draw {@link #around} makes after its noise. */
    public int clusterOf(long i) {
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (i + 1)));
        shaped(rnd, NOISE);
        return rnd.nextInt(centers.length);
    }

    public float[] document(long i) {
        return around(new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (i + 1))));
    }

    /**
     * A query: even {@code j} a new point from the documents' distribution (an image
     * query), odd {@code j} such a point pushed along one fixed direction (a text query:
     * the two towers of a CLIP-style model leave a gap between the modalities, a near
     * constant offset, so text queries sit away from all images, which makes them harder
     * for a graph index).
     */
    public float[] query(long j) {
        float[] v = around(new SplittableRandom(~seed ^ (0xC2B2AE3D27D4EB4FL * (j + 1))));
        if (j % 2 == 0) return v;
        for (int k = 0; k < dimension; k++) v[k] += (float) (MODALITY_GAP * gap[k]);
        return normalise(v);
    }

    private float[] around(SplittableRandom rnd) {
        float[] v = shaped(rnd, NOISE);
        float[] center = centers[rnd.nextInt(centers.length)];
        for (int k = 0; k < dimension; k++) v[k] += center[k];
        double scale = SPREAD / Math.sqrt(LATENT);
        for (float[] direction : basis) {
            float z = (float) (rnd.nextGaussian() * scale);
            for (int k = 0; k < dimension; k++) v[k] += z * direction[k];
        }
        return normalise(v);
    }

    /** A random direction in the shaped space, scaled to length {@code length}. */
    private float[] shaped(SplittableRandom rnd, double length) {
        float[] v = new float[dimension];
        for (int k = 0; k < dimension; k++) v[k] = (float) (rnd.nextGaussian() * spectrum[k]);
        normalise(v);
        for (int k = 0; k < dimension; k++) v[k] *= (float) length;
        return v;
    }

    private static float[] normalise(float[] v) {
        double sum = 0;
        for (float x : v) sum += x * x;
        float inv = (float) (1 / Math.sqrt(sum));
        for (int k = 0; k < v.length; k++) v[k] *= inv;
        return v;
    }
}
