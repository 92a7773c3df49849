package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ClusteredVectors#clusterOf} names the cluster a document is really drawn around. */
class ClusteredVectorsTest {
    @Test
    void documentsOfOneNamedClusterAreCloserThanDocumentsOfTwo() {
        ClusteredVectors cv = new ClusteredVectors(64, 8, 7);
        double same = 0;
        double other = 0;
        int nSame = 0;
        int nOther = 0;
        for (int i = 0; i < 300; i++) {
            for (int j = i + 1; j < 300; j++) {
                double cos = dot(cv.document(i), cv.document(j));
                if (cv.clusterOf(i) == cv.clusterOf(j)) {
                    same += cos;
                    nSame++;
                } else {
                    other += cos;
                    nOther++;
                }
            }
        }
        // Measured: 0.63 against 0.39 (before the fix, clusterOf read the wrong draw: 0.418 against 0.420).
        assertTrue(same / nSame > other / nOther + 0.15, "same cluster " + same / nSame + ", different " + other / nOther);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) s += a[k] * b[k];
        return s;
    }
}
