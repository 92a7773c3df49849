package dev.loupe.inference.ocr;

import java.util.ArrayList;
import java.util.List;

/**
 * The borders of a binary image, as {@code cv2.findContours(bitmap, RETR_LIST,
 * CHAIN_APPROX_SIMPLE)} finds them: Suzuki and Abe's border following (1985), which OpenCV
 * implements. Foreground is 8-connected, background 4-connected; every outer border and every
 * hole border is a contour (a hole's border runs through the foreground pixels around it), and
 * pixels outside the image count as background. A border is traced clockwise on screen, and
 * CHAIN_APPROX_SIMPLE keeps only the points where its direction changes.
 *
 * <p>The detector's post-processing only needs each contour's convex hull, which the
 * compression leaves alone; OpenCV's order of the contours in its list is not reproduced.
 */
final class BorderFollowing {
    /** Neighbour offsets clockwise on screen (y down), starting north: (dy, dx). */
    private static final int[] DY = {-1, -1, 0, 1, 1, 1, 0, -1};
    private static final int[] DX = {0, 1, 1, 1, 0, -1, -1, -1};
    private static final int EAST = 2;

    private BorderFollowing() {}

    /**
     * Contours of the pixels where {@code foreground[y * width + x]} is set; each contour is
     * its points as {@code x0, y0, x1, y1, …} in pixel coordinates.
     */
    static List<int[]> contours(boolean[] foreground, int width, int height) {
        if (foreground.length != width * height) throw new IllegalArgumentException("bitmap has " + foreground.length + " pixels, not " + width + "×" + height);
        int w = width + 2, h = height + 2; // a frame of background, as OpenCV treats the image border
        int[] f = new int[w * h];
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) if (foreground[y * width + x]) f[(y + 1) * w + x + 1] = 1;
        List<int[]> contours = new ArrayList<>();
        int nbd = 1;
        for (int i = 1; i < h - 1; i++) {
            for (int j = 1; j < w - 1; j++) {
                int v = f[i * w + j];
                if (v == 0) continue;
                int fromDy, fromDx;
                if (v == 1 && f[i * w + j - 1] == 0) {
                    fromDy = 0;
                    fromDx = -1;
                } else if (v >= 1 && f[i * w + j + 1] == 0) {
                    fromDy = 0;
                    fromDx = 1;
                } else {
                    continue;
                }
                nbd++;
                contours.add(simplify(follow(f, w, i, j, direction(fromDy, fromDx), nbd)));
            }
        }
        return contours;
    }

    /** Steps 3.1–3.5 of Suzuki–Abe from border start (i, j), arriving from neighbour {@code from}; labels the border {@code nbd}. */
    private static IntList follow(int[] f, int w, int i, int j, int from, int nbd) {
        IntList points = new IntList();
        // 3.1: clockwise from the neighbour we came from, the first foreground pixel
        int first = -1;
        for (int k = 0; k < 8; k++) {
            int d = (from + k) & 7;
            if (f[(i + DY[d]) * w + j + DX[d]] != 0) {
                first = d;
                break;
            }
        }
        if (first < 0) { // an isolated pixel
            f[i * w + j] = -nbd;
            points.add(j - 1, i - 1);
            return points;
        }
        int i1 = i + DY[first], j1 = j + DX[first];
        int i2 = i1, j2 = j1, i3 = i, j3 = j;
        while (true) {
            // 3.3: counter-clockwise around (i3, j3), starting after (i2, j2)
            int s = direction(i2 - i3, j2 - j3);
            boolean eastExamined = false;
            int i4 = i3, j4 = j3;
            for (int k = 1; k <= 8; k++) {
                int d = (s - k + 8) & 7;
                int ni = i3 + DY[d], nj = j3 + DX[d];
                if (f[ni * w + nj] != 0) {
                    i4 = ni;
                    j4 = nj;
                    break;
                }
                if (d == EAST) eastExamined = true;
            }
            // 3.4
            if (eastExamined) f[i3 * w + j3] = -nbd;
            else if (f[i3 * w + j3] == 1) f[i3 * w + j3] = nbd;
            points.add(j3 - 1, i3 - 1);
            // 3.5: back at the start, about to repeat the first step
            if (i4 == i && j4 == j && i3 == i1 && j3 == j1) return points;
            i2 = i3;
            j2 = j3;
            i3 = i4;
            j3 = j4;
        }
    }

    private static int direction(int dy, int dx) {
        for (int d = 0; d < 8; d++) if (DY[d] == dy && DX[d] == dx) return d;
        throw new IllegalArgumentException("not a neighbour: " + dy + "," + dx);
    }

    /**
     * CHAIN_APPROX_SIMPLE: drops points that continue the previous step's direction. The
     * traced list ends with the start's predecessor and begins at the start, so the chain is cyclic.
     */
    private static int[] simplify(IntList p) {
        int n = p.size / 2;
        if (n <= 2) return p.toArray();
        IntList out = new IntList();
        for (int k = 0; k < n; k++) {
            int prev = (k + n - 1) % n, next = (k + 1) % n;
            int dx1 = p.v[2 * k] - p.v[2 * prev], dy1 = p.v[2 * k + 1] - p.v[2 * prev + 1];
            int dx2 = p.v[2 * next] - p.v[2 * k], dy2 = p.v[2 * next + 1] - p.v[2 * k + 1];
            if (dx1 != dx2 || dy1 != dy2) out.add(p.v[2 * k], p.v[2 * k + 1]);
        }
        return out.size == 0 ? new int[] {p.v[0], p.v[1]} : out.toArray();
    }

    /** A growable list of ints: contours of large blobs have thousands of points. */
    private static final class IntList {
        int[] v = new int[16];
        int size;

        void add(int x, int y) {
            if (size + 2 > v.length) v = java.util.Arrays.copyOf(v, v.length * 2);
            v[size++] = x;
            v[size++] = y;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(v, size);
        }
    }
}
