package dev.loupe.inference.ocr;

import java.awt.image.BufferedImage;

/**
 * PaddleOCR's {@code get_rotate_crop_image}: a box cut out upright with a perspective warp onto
 * a {@code width × height} rectangle (the longer of each pair of opposite sides, truncated),
 * edge pixels replicated outside the image; a crop at least 1.5 times taller than wide is turned
 * 90° counter-clockwise ({@code np.rot90}), since it is most likely a line of text written
 * top to bottom. OpenCV samples bicubically; this samples bilinearly, which the recogniser does
 * not tell apart at its 48-pixel input height.
 */
final class PerspectiveCrop {
    private PerspectiveCrop() {}

    static BufferedImage crop(BufferedImage source, Quad box) {
        int width = (int) Math.max(box.side(0, 1), box.side(2, 3));
        int height = (int) Math.max(box.side(0, 3), box.side(1, 2));
        width = Math.max(1, width);
        height = Math.max(1, height);
        double[] m = homography(new double[] {0, 0, width, 0, width, height, 0, height}, box.xy());
        Region region = Region.around(source, box);
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double d = m[6] * x + m[7] * y + 1;
                double sx = (m[0] * x + m[1] * y + m[2]) / d, sy = (m[3] * x + m[4] * y + m[5]) / d;
                out[y * width + x] = region.bilinear(sx, sy);
            }
        }
        BufferedImage crop = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        crop.setRGB(0, 0, width, height, out, 0, width);
        return height >= 1.5 * width ? rotate90CounterClockwise(crop) : crop;
    }

    static BufferedImage rotate90CounterClockwise(BufferedImage src) {
        int w = src.getWidth(), h = src.getHeight();
        BufferedImage out = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out.setRGB(y, w - 1 - x, src.getRGB(x, y));
        return out;
    }

    static BufferedImage rotate180(BufferedImage src) {
        int w = src.getWidth(), h = src.getHeight();
        int[] p = src.getRGB(0, 0, w, h, null, 0, w);
        int[] q = new int[p.length];
        for (int i = 0; i < p.length; i++) q[p.length - 1 - i] = p[i];
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, q, 0, w);
        return out;
    }

    /**
     * The 3×3 projective map (row-major, last entry 1, which is left out) taking the four points
     * {@code from} onto {@code to}, as {@code cv2.getPerspectiveTransform} solves it: an 8×8
     * linear system, here by Gaussian elimination with partial pivoting.
     */
    static double[] homography(double[] from, double[] to) {
        double[][] a = new double[8][9];
        for (int i = 0; i < 4; i++) {
            double x = from[2 * i], y = from[2 * i + 1], u = to[2 * i], v = to[2 * i + 1];
            a[i] = new double[] {x, y, 1, 0, 0, 0, -x * u, -y * u, u};
            a[i + 4] = new double[] {0, 0, 0, x, y, 1, -x * v, -y * v, v};
        }
        for (int c = 0; c < 8; c++) {
            int pivot = c;
            for (int r = c + 1; r < 8; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
            double[] t = a[c];
            a[c] = a[pivot];
            a[pivot] = t;
            if (Math.abs(a[c][c]) < 1e-12) return new double[] {1, 0, to[0], 0, 1, to[1], 0, 0}; // a degenerate box (the filter lets none through): a plain shift
            for (int r = 0; r < 8; r++) {
                if (r == c) continue;
                double f = a[r][c] / a[c][c];
                for (int k = c; k < 9; k++) a[r][k] -= f * a[c][k];
            }
        }
        double[] m = new double[8];
        for (int i = 0; i < 8; i++) m[i] = a[i][8] / a[i][i];
        return m;
    }

    /** The source pixels under a box (its bounding rectangle, clipped, one pixel to spare), read once. */
    private record Region(int[] rgb, int x0, int y0, int width, int height) {
        static Region around(BufferedImage source, Quad box) {
            double minX = box.minX(), maxX = box.maxX(), minY = box.minY(), maxY = box.maxY();
            int x0 = clamp((int) Math.floor(minX) - 1, source.getWidth() - 1), x1 = clamp((int) Math.ceil(maxX) + 1, source.getWidth() - 1);
            int y0 = clamp((int) Math.floor(minY) - 1, source.getHeight() - 1), y1 = clamp((int) Math.ceil(maxY) + 1, source.getHeight() - 1);
            int w = x1 - x0 + 1, h = y1 - y0 + 1;
            return new Region(source.getRGB(x0, y0, w, h, null, 0, w), x0, y0, w, h);
        }

        /** Bilinear sample at source position (x, y), edges replicated ({@code BORDER_REPLICATE}). */
        int bilinear(double x, double y) {
            double fx = x - x0, fy = y - y0;
            int ix = (int) Math.floor(fx), iy = (int) Math.floor(fy);
            double ax = fx - ix, ay = fy - iy;
            int p00 = at(ix, iy), p01 = at(ix + 1, iy), p10 = at(ix, iy + 1), p11 = at(ix + 1, iy + 1);
            int rgb = 0;
            for (int shift = 16; shift >= 0; shift -= 8) {
                double v = ((p00 >> shift) & 0xff) * (1 - ax) * (1 - ay) + ((p01 >> shift) & 0xff) * ax * (1 - ay)
                        + ((p10 >> shift) & 0xff) * (1 - ax) * ay + ((p11 >> shift) & 0xff) * ax * ay;
                rgb |= Math.min(255, Math.max(0, (int) Math.round(v))) << shift;
            }
            return rgb;
        }

        private int at(int x, int y) {
            return rgb[clamp(y, height - 1) * width + clamp(x, width - 1)];
        }
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }
}
