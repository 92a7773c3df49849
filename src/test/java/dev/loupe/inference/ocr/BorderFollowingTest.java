package dev.loupe.inference.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Suzuki–Abe border following against {@code cv2.findContours(RETR_LIST, CHAIN_APPROX_SIMPLE)} (via {@code scripts/ocr_reference.py}). */
class BorderFollowingTest {
    @TempDir
    Path tmp;

    @Test
    void aFilledSquareHasOneContourOfItsFourCorners() {
        boolean[] b = new boolean[10 * 10];
        for (int y = 2; y <= 6; y++) for (int x = 3; x <= 7; x++) b[y * 10 + x] = true;
        List<int[]> cs = BorderFollowing.contours(b, 10, 10);
        assertEquals(1, cs.size());
        assertEquals(List.of("3,2", "3,6", "7,2", "7,6"), points(cs.getFirst()));
    }

    @Test
    void aRingHasAnOuterAndAHoleBorderAndALonePixelIsAContour() {
        boolean[] b = new boolean[12 * 12];
        for (int y = 1; y <= 8; y++) for (int x = 1; x <= 8; x++) b[y * 12 + x] = y == 1 || y == 8 || x == 1 || x == 8;
        b[10 * 12 + 10] = true;
        assertEquals(3, BorderFollowing.contours(b, 12, 12).size());
    }

    @Test
    void randomBitmapsGiveOpenCvsContours() throws Exception {
        Random r = new Random(2024);
        for (int round = 0; round < 6; round++) {
            int w = 30 + r.nextInt(60), h = 20 + r.nextInt(50);
            double density = 0.2 + 0.12 * round;
            boolean[] b = new boolean[w * h];
            for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() < density;
            List<int[]> want = DbReference.contours(tmp, "random" + round, b, w, h);
            List<int[]> got = BorderFollowing.contours(b, w, h);
            assertEquals(canonical(want), canonical(got), "bitmap " + round + " (" + w + "×" + h + ", density " + density + ")");
        }
    }

    /** The contours as sorted point lists, sorted: OpenCV's start points and list order are not reproduced. */
    private static List<String> canonical(List<int[]> contours) {
        List<String> out = new ArrayList<>();
        for (int[] c : contours) out.add(String.join(" ", points(c)));
        out.sort(null);
        return out;
    }

    private static List<String> points(int[] c) {
        String[] p = new String[c.length / 2];
        for (int i = 0; i < p.length; i++) p[i] = c[2 * i] + "," + c[2 * i + 1];
        Arrays.sort(p);
        return List.of(p);
    }
}
