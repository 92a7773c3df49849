package dev.loupe.inference.ocr;

import java.util.ArrayList;
import java.util.List;

/**
 * PaddleOCR's {@code DBPostProcess.boxes_from_bitmap} (score mode "fast"), which RapidOCR
 * runs unchanged: the probability map is thresholded to a bitmap (dilated 2×2 when asked),
 * each contour's minimum-area rectangle is kept if its short side is at least 3 and the mean
 * probability inside it reaches the box threshold, grown by the unclip offset, boxed again
 * (short side at least 5) and scaled from the map's size to the image's, rounded and clipped.
 * {@code scripts/ocr_reference.py} runs the Python original on the same maps
 * ({@code OcrReferenceTest}).
 */
final class DbPostProcess {
    private static final int MIN_SIZE = 3;

    private DbPostProcess() {}

    /** A detector output: row-major probabilities of a {@code width × height} map. */
    record ProbabilityMap(float[] p, int width, int height) {
        ProbabilityMap {
            if (p.length != width * height) throw new IllegalArgumentException("map has " + p.length + " values, not " + width + "×" + height);
        }
    }

    /** A detected box in image pixels (integer corners, as PaddleOCR's int32 boxes) and its mean probability. */
    record Box(Quad quad, double score) {
    }

    static List<Box> boxes(ProbabilityMap map, int destWidth, int destHeight, OcrOptions.DbOptions options) {
        int w = map.width(), h = map.height();
        boolean[] bitmap = new boolean[w * h];
        float[] p = map.p();
        for (int i = 0; i < p.length; i++) bitmap[i] = p[i] > options.threshold();
        if (options.dilate()) bitmap = dilate2x2(bitmap, w, h);
        List<int[]> contours = BorderFollowing.contours(bitmap, w, h);
        List<Box> boxes = new ArrayList<>();
        int n = Math.min(contours.size(), options.maxCandidates());
        for (int c = 0; c < n; c++) {
            int[] contour = contours.get(c);
            double[] xy = new double[contour.length];
            for (int i = 0; i < xy.length; i++) xy[i] = contour[i];
            BoxGeometry.MiniBox mini = BoxGeometry.miniBox(xy);
            if (mini == null || mini.shortSide() < MIN_SIZE) continue;
            double score = scoreFast(map, mini.quad());
            if (options.boxThreshold() > score) continue;
            BoxGeometry.MiniBox grown = BoxGeometry.miniBox(BoxGeometry.unclip(mini.quad(), options.unclipRatio()));
            if (grown == null || grown.shortSide() < MIN_SIZE + 2) continue;
            Quad scaled = grown.quad().map(
                    x -> Math.min(destWidth, Math.max(0, Math.rint(x / w * destWidth))),
                    y -> Math.min(destHeight, Math.max(0, Math.rint(y / h * destHeight))));
            boxes.add(new Box(scaled, score));
        }
        return boxes;
    }

    /** {@code cv2.dilate} with a 2×2 kernel (anchor at its centre (1, 1)): a pixel is set if it or its left, upper or upper-left neighbour is. */
    static boolean[] dilate2x2(boolean[] b, int w, int h) {
        boolean[] out = new boolean[b.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                out[i] = b[i] || (x > 0 && b[i - 1]) || (y > 0 && b[i - w]) || (x > 0 && y > 0 && b[i - w - 1]);
            }
        }
        return out;
    }

    /**
     * {@code box_score_fast}: the mean probability over the pixels {@code cv2.fillPoly} sets
     * for the box (corners moved to the box's bounding window, clipped to the map, and cast to
     * int32 towards zero). OpenCV's fill is the polygon's inside, edges included, together with
     * each edge drawn as an 8-connected line ({@link #line}): on random quads the union equals
     * {@code cv2.fillPoly}'s mask pixel for pixel.
     */
    static double scoreFast(ProbabilityMap map, Quad box) {
        int w = map.width(), h = map.height();
        double minX = box.minX(), maxX = box.maxX(), minY = box.minY(), maxY = box.maxY();
        int xmin = clamp((int) Math.floor(minX), w - 1), xmax = clamp((int) Math.ceil(maxX), w - 1);
        int ymin = clamp((int) Math.floor(minY), h - 1), ymax = clamp((int) Math.ceil(maxY), h - 1);
        int mw = xmax - xmin + 1, mh = ymax - ymin + 1;
        // float32 box coordinates in PaddleOCR, shifted and then cast to int32 (towards zero)
        int[] px = new int[4], py = new int[4];
        for (int i = 0; i < 4; i++) {
            px[i] = (int) ((float) box.x(i) - xmin);
            py[i] = (int) ((float) box.y(i) - ymin);
        }
        boolean[] mask = new boolean[mw * mh];
        for (int y = 0; y < mh; y++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < 4; i++) {
                int j = (i + 1) & 3;
                int y0 = py[i], y1 = py[j];
                if (y < Math.min(y0, y1) || y > Math.max(y0, y1)) continue;
                if (y0 == y1) {
                    lo = Math.min(lo, Math.min(px[i], px[j]));
                    hi = Math.max(hi, Math.max(px[i], px[j]));
                } else {
                    double x = px[i] + (double) (y - y0) * (px[j] - px[i]) / (y1 - y0);
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
            if (lo > hi) continue;
            int from = Math.max(0, (int) Math.ceil(lo - 1e-9)), to = Math.min(mw - 1, (int) Math.floor(hi + 1e-9));
            for (int x = from; x <= to; x++) mask[y * mw + x] = true;
        }
        for (int i = 0; i < 4; i++) line(mask, mw, mh, px[i], py[i], px[(i + 1) & 3], py[(i + 1) & 3]);
        double sum = 0;
        long count = 0;
        float[] p = map.p();
        for (int y = 0; y < mh; y++) {
            for (int x = 0; x < mw; x++) {
                if (!mask[y * mw + x]) continue;
                sum += p[(y + ymin) * w + x + xmin];
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    /**
     * OpenCV's 8-connected {@code LineIterator}: a step along the major axis each pixel, and
     * along the minor one too while the error term is negative (error starts at
     * {@code major − 2·minor}). Pixels outside the mask are skipped; OpenCV clips the line to
     * the image first, which moves nothing for lines inside it.
     */
    static void line(boolean[] mask, int w, int h, int x0, int y0, int x1, int y1) {
        int dx = Math.abs(x1 - x0), dy = Math.abs(y1 - y0);
        int sx = x1 < x0 ? -1 : 1, sy = y1 < y0 ? -1 : 1;
        boolean yMajor = dy > dx;
        int major = yMajor ? dy : dx, minor = yMajor ? dx : dy;
        int err = major - 2 * minor;
        int x = x0, y = y0;
        for (int k = 0; k <= major; k++) {
            if (x >= 0 && y >= 0 && x < w && y < h) mask[y * w + x] = true;
            boolean both = err < 0;
            err += -2 * minor + (both ? 2 * major : 0);
            if (yMajor) {
                y += sy;
                if (both) x += sx;
            } else {
                x += sx;
                if (both) y += sy;
            }
        }
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
