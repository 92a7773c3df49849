package dev.loupe.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.loupe.catalog.ClusterDefinition.Edit;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cannot-link split and the edits, on labels given by hand. */
class RefinementTest {
    private static float[] at(double degrees) {
        double r = Math.toRadians(degrees);
        return new float[] {(float) Math.cos(r), (float) Math.sin(r)};
    }

    // Cluster 0 around 0°, cluster 1 around 90° (its members spread ±20°).
    private static final float[][] ROWS = {at(-5), at(0), at(5), at(60), at(70), at(90), at(110)};
    private static final List<String> IDS = List.of("a", "b", "c", "x", "p", "q", "r");

    private static int[] refine(List<String> keys, int[] labels, List<Edit> edits) {
        return Refinement.apply(ROWS, IDS, keys, labels, null, edits, false).labels();
    }

    @Test
    void aSecondFaceOfAPhotoMovesToTheNearestOtherClusterThatReachesIt() {
        // x (60°) was put in cluster 0 with b, a face of the same photo.
        int[] labels = {0, 0, 0, 0, 1, 1, 1};
        List<String> keys = Arrays.asList("pa", "photo", "pc", "photo", "pp", "pq", "pr");
        int[] out = refine(keys, labels, List.of());
        // b is nearer cluster 0's centre and stays; x is 30° from cluster 1's centre (90°), outside its 20° radius: noise.
        assertArrayEquals(new int[] {0, 0, 0, Clusterer.NOISE, 1, 1, 1}, out);
    }

    @Test
    void aDisplacedFaceJoinsAnotherClusterWhoseRadiusReachesIt() {
        // Cluster 1 (65°, 90°, 150°) has its centre at about 100° and a radius of about 50°, so it reaches x at 60°.
        float[][] rows = {at(-5), at(0), at(5), at(60), at(65), at(90), at(150)};
        int[] labels = {0, 0, 0, 0, 1, 1, 1};
        List<String> keys = Arrays.asList("pa", "photo", "pc", "photo", "pp", "pq", "pr");
        int[] out = Refinement.apply(rows, IDS, keys, labels, null, List.of(), false).labels();
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 1}, out);
    }

    @Test
    void aPinnedFaceStaysAndItsUnpinnedSiblingLeaves() {
        int[] labels = {0, 0, 0, 1, 1, 1, 1};
        List<String> keys = Arrays.asList("pa", "photo", "pc", "px", "pp", "photo", "pr");
        // Moving q (90°, a face of b's photo) into cluster 0 pins it there, so b leaves; cluster 1 does not reach b: noise.
        int[] out = refine(keys, labels, List.of(new Edit.Move("q", "a")));
        assertArrayEquals(new int[] {0, Clusterer.NOISE, 0, 1, 1, 0, 1}, out);
    }

    @Test
    void aMergeRelabelsTheWholeOtherClusterAndANoiseAnchorStartsOne() {
        int[] labels = {0, 0, 0, Clusterer.NOISE, 1, 1, 1};
        List<String> keys = Arrays.asList("1", "2", "3", "4", "5", "6", "7");
        assertArrayEquals(new int[] {0, 0, 0, Clusterer.NOISE, 0, 0, 0}, refine(keys, labels, List.of(new Edit.Merge("a", "q"))));
        assertArrayEquals(new int[] {0, 0, 0, 2, 1, 1, 2}, refine(keys, labels, List.of(new Edit.Move("r", "x"))));
    }

    @Test
    void editsNamingDocumentsNoLongerPresentAreSkipped() {
        int[] labels = {0, 0, 0, 1, 1, 1, 1};
        List<String> keys = Arrays.asList("1", "2", "3", "4", "5", "6", "7");
        assertArrayEquals(labels, refine(keys, labels, List.of(new Edit.Merge("gone", "q"), new Edit.Move("a", "gone"))));
    }
}
