package dev.loupe.cluster;

import java.util.SplittableRandom;

/**
 * Unit vectors in known groups: {@code groups} random directions in {@code dimension}
 * dimensions (nearly orthogonal), each point its group's direction plus Gaussian noise of
 * {@code noise} per dimension, normalised. With noise 0.05 in 32 dimensions a point is at
 * cosine distance ≈ 0.04 from its centre and ≈ 1 from the others.
 */
record Groups(float[][] vectors, int[] truth) {
    static Groups of(int groups, int perGroup, int dimension, double noise, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] centres = new float[groups][];
        for (int g = 0; g < groups; g++) centres[g] = gaussian(rnd, dimension, 1);
        float[][] vectors = new float[groups * perGroup][];
        int[] truth = new int[vectors.length];
        // Interleaved, so that no method gets the groups handed to it in order.
        for (int i = 0; i < vectors.length; i++) {
            int g = i % groups;
            float[] v = gaussian(rnd, dimension, noise);
            for (int k = 0; k < dimension; k++) v[k] += centres[g][k];
            vectors[i] = Vectors.normalised(v);
            truth[i] = g;
        }
        return new Groups(vectors, truth);
    }

    private static float[] gaussian(SplittableRandom rnd, int dimension, double scale) {
        float[] v = new float[dimension];
        for (int k = 0; k < dimension; k++) v[k] = (float) (rnd.nextGaussian() * scale);
        return scale == 1 ? Vectors.normalised(v) : v;
    }

    /**
     * The share of points whose found cluster's majority group is their own group (noise counts
     * as wrong), so 1.0 means every cluster holds one group only and nothing was left out.
     */
    static double purity(int[] found, int[] truth) {
        java.util.Map<Integer, java.util.Map<Integer, Integer>> counts = new java.util.HashMap<>();
        for (int i = 0; i < found.length; i++) {
            if (found[i] == Clusterer.NOISE) continue;
            counts.computeIfAbsent(found[i], c -> new java.util.HashMap<>()).merge(truth[i], 1, Integer::sum);
        }
        int majority = counts.values().stream().mapToInt(m -> m.values().stream().max(Integer::compare).orElse(0)).sum();
        return (double) majority / found.length;
    }

    static long clusters(int[] found) {
        return java.util.Arrays.stream(found).filter(l -> l != Clusterer.NOISE).distinct().count();
    }
}
