package dev.loupe.cluster;

/** The arithmetic of unit vectors that clustering needs: cosine distance is {@code 1 − a·b}. */
final class Vectors {
    private Vectors() {}

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double cosineDistance(float[] a, float[] b) {
        return Math.max(0, 1 - dot(a, b));
    }

    /** A copy scaled to length 1; a zero vector stays zero. */
    static float[] normalised(float[] v) {
        double sum = 0;
        for (float x : v) sum += x * x;
        float[] out = v.clone();
        if (sum == 0) return out;
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < out.length; i++) out[i] *= inv;
        return out;
    }

    /** The normalised mean of the given rows. */
    static float[] centroid(float[][] rows, Iterable<Integer> members) {
        float[] sum = null;
        for (int i : members) {
            if (sum == null) sum = new float[rows[i].length];
            for (int k = 0; k < sum.length; k++) sum[k] += rows[i][k];
        }
        return sum == null ? new float[0] : normalised(sum);
    }
}
