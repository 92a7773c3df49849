package dev.loupe.inference.face;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;

/**
 * Cuts a face out as ArcFace expects it: the least-squares similarity transform (rotation,
 * uniform scale, translation; Umeyama's, as skimage's {@code SimilarityTransform.estimate}
 * computes it) that carries the five landmarks onto ArcFace's 112×112 template, applied with
 * bilinear interpolation and black outside the source.
 *
 * <p>The warp reproduces {@code cv2.warpAffine(img, M, (112, 112), borderValue=0)} bit for bit,
 * not only in spirit: OpenCV inverts M in double precision, steps through destination pixels in
 * fixed point (source positions in 1/1024 pixel, rounded to nearest-even and then truncated to
 * 1/32 pixel) and blends the four neighbours with 15-bit integer weights, rounding half up.
 * A float bilinear warp differs from it by one grey level on a few percent of pixels.
 */
public final class FaceAligner {
    /** Output side in pixels. */
    public static final int SIZE = 112;
    /**
     * insightface {@code face_align.arcface_dst}: left eye, right eye, nose, left and right mouth
     * corners. insightface holds it as float32, so these are the float32 values (38.2946f is
     * 38.29460144…), which moves the matrix by ~1e-7 against the decimal ones: enough to shift
     * a few edge pixels of the crop by a grey level.
     */
    static final double[][] TEMPLATE = {
            {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f}, {41.5493f, 92.3655f}, {70.7299f, 92.2041f}};

    private static final int INTER_BITS = 5, INTER_TAB_SIZE = 1 << INTER_BITS, AB_BITS = 10, AB_SCALE = 1 << AB_BITS;
    private static final int COEF_BITS = 15, COEF_SCALE = 1 << COEF_BITS;
    private static final int ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;

    /** The aligned {@value #SIZE}×{@value #SIZE} RGB crop of the face with these landmarks. */
    public BufferedImage align(BufferedImage source, Landmarks landmarks) {
        return warp(source, transform(landmarks), SIZE, SIZE);
    }

    /**
     * The 2×3 matrix {@code [a, −b, tx; b, a, ty]} taking source pixels to template pixels:
     * the closed form of Umeyama's estimate for 2-D points (which, with proper rotations, is
     * exact least squares).
     */
    static double[] transform(Landmarks landmarks) {
        float[] src = landmarks.toArray();
        int n = TEMPLATE.length;
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++) {
            sx += src[2 * i];
            sy += src[2 * i + 1];
            dx += TEMPLATE[i][0];
            dy += TEMPLATE[i][1];
        }
        sx /= n; sy /= n; dx /= n; dy /= n;
        double var = 0, a = 0, b = 0;
        for (int i = 0; i < n; i++) {
            double px = src[2 * i] - sx, py = src[2 * i + 1] - sy, qx = TEMPLATE[i][0] - dx, qy = TEMPLATE[i][1] - dy;
            var += px * px + py * py;
            a += px * qx + py * qy;
            b += px * qy - py * qx;
        }
        if (var == 0) return new double[] {0, 0, dx, 0, 0, dy}; // all landmarks on one point: nothing to align
        a /= var;
        b /= var;
        return new double[] {a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)};
    }

    /** {@code cv2.warpAffine(source, m, (width, height), flags=INTER_LINEAR, borderMode=BORDER_CONSTANT, borderValue=0)}. */
    static BufferedImage warp(BufferedImage source, double[] m, int width, int height) {
        double[] inv = invert(m);
        Region src = Region.under(source, inv, width, height);
        int[] out = new int[width * height];
        int[] adelta = new int[width], bdelta = new int[width];
        for (int x = 0; x < width; x++) {
            adelta[x] = saturateInt(inv[0] * x * AB_SCALE);
            bdelta[x] = saturateInt(inv[3] * x * AB_SCALE);
        }
        for (int y = 0; y < height; y++) {
            int x0 = saturateInt((inv[1] * y + inv[2]) * AB_SCALE) + ROUND_DELTA;
            int y0 = saturateInt((inv[4] * y + inv[5]) * AB_SCALE) + ROUND_DELTA;
            for (int x = 0; x < width; x++) {
                int fxFixed = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
                int fyFixed = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
                int ix = saturateShort(fxFixed >> INTER_BITS), iy = saturateShort(fyFixed >> INTER_BITS);
                int ax = fxFixed & (INTER_TAB_SIZE - 1), ay = fyFixed & (INTER_TAB_SIZE - 1);
                out[y * width + x] = blend(src, ix, iy, ax, ay);
            }
        }
        return Resampler.image(out, width, height);
    }

    /**
     * OpenCV's bilinear weights for a 1/32-pixel offset: products of (1 − t, t) on the 32-step
     * grid scaled to 2^15. They are exact integers (multiples of 2^15 / 1024), so the table's
     * sum correction never applies.
     */
    private static int blend(Region src, int ix, int iy, int ax, int ay) {
        int w00 = (INTER_TAB_SIZE - ax) * (INTER_TAB_SIZE - ay) * (COEF_SCALE / (INTER_TAB_SIZE * INTER_TAB_SIZE));
        int w01 = ax * (INTER_TAB_SIZE - ay) * (COEF_SCALE / (INTER_TAB_SIZE * INTER_TAB_SIZE));
        int w10 = (INTER_TAB_SIZE - ax) * ay * (COEF_SCALE / (INTER_TAB_SIZE * INTER_TAB_SIZE));
        int w11 = ax * ay * (COEF_SCALE / (INTER_TAB_SIZE * INTER_TAB_SIZE));
        if (ix >= src.imageWidth() || ix + 1 < 0 || iy >= src.imageHeight() || iy + 1 < 0) return 0;
        int p00, p01, p10, p11;
        int rx = ix - src.x0(), ry = iy - src.y0();
        if (ix >= 0 && iy >= 0 && ix + 1 < src.imageWidth() && iy + 1 < src.imageHeight()
                && rx >= 0 && ry >= 0 && rx + 1 < src.width() && ry + 1 < src.height()) {
            // The four neighbours inside the image and the region read: nearly every pixel of a crop.
            int at = ry * src.width() + rx;
            p00 = src.rgb()[at];
            p01 = src.rgb()[at + 1];
            p10 = src.rgb()[at + src.width()];
            p11 = src.rgb()[at + src.width() + 1];
        } else {
            p00 = src.pixel(ix, iy);
            p01 = src.pixel(ix + 1, iy);
            p10 = src.pixel(ix, iy + 1);
            p11 = src.pixel(ix + 1, iy + 1);
        }
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int v = ((p00 >> shift) & 0xff) * w00 + ((p01 >> shift) & 0xff) * w01 + ((p10 >> shift) & 0xff) * w10 + ((p11 >> shift) & 0xff) * w11;
            int c = (v + (1 << (COEF_BITS - 1))) >> COEF_BITS;
            rgb |= Math.min(255, Math.max(0, c)) << shift;
        }
        return rgb;
    }

    /**
     * The part of the source a warp can sample, read once as RGB: the bounding box of the
     * destination's corners mapped back into the source, with two pixels to spare for the
     * fixed-point rounding and the bilinear neighbour. Reading the whole image instead costs a
     * conversion of millions of pixels per face.
     */
    private record Region(BufferedImage source, int imageWidth, int imageHeight, int[] rgb, int x0, int y0, int width, int height) {
        static Region under(BufferedImage source, double[] inv, int outWidth, int outHeight) {
            double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
            for (int[] c : new int[][] {{0, 0}, {outWidth, 0}, {0, outHeight}, {outWidth, outHeight}}) {
                double x = inv[0] * c[0] + inv[1] * c[1] + inv[2], y = inv[3] * c[0] + inv[4] * c[1] + inv[5];
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
            int x0 = (int) Math.max(0, Math.min(source.getWidth(), Math.floor(minX) - 2));
            int y0 = (int) Math.max(0, Math.min(source.getHeight(), Math.floor(minY) - 2));
            int x1 = (int) Math.max(0, Math.min(source.getWidth(), Math.ceil(maxX) + 3));
            int y1 = (int) Math.max(0, Math.min(source.getHeight(), Math.ceil(maxY) + 3));
            // A plain image is read in place: no copy at all.
            int[] own = Resampler.plainRgb(source);
            if (own != null) return new Region(source, source.getWidth(), source.getHeight(), own, 0, 0, source.getWidth(), source.getHeight());
            int w = x1 - x0, h = y1 - y0;
            int[] rgb = w > 0 && h > 0 ? source.getRGB(x0, y0, w, h, null, 0, w) : new int[0];
            return new Region(source, source.getWidth(), source.getHeight(), rgb, x0, y0, w, h);
        }

        /** A source pixel, or the border value 0 outside the image. */
        int pixel(int x, int y) {
            if (x < 0 || y < 0 || x >= imageWidth || y >= imageHeight) return 0;
            int rx = x - x0, ry = y - y0;
            // The box holds every position the warp reaches; this guards the arithmetic, not a case that occurs.
            if (rx < 0 || ry < 0 || rx >= width || ry >= height) return source.getRGB(x, y);
            return rgb[ry * width + rx];
        }
    }

    /** OpenCV's {@code invertAffineTransform} arithmetic, in its order. */
    static double[] invert(double[] m) {
        double d = m[0] * m[4] - m[1] * m[3];
        d = d != 0 ? 1.0 / d : 0;
        double a11 = m[4] * d, a22 = m[0] * d, a12 = -m[1] * d, a21 = -m[3] * d;
        double b1 = -a11 * m[2] - a12 * m[5];
        double b2 = -a21 * m[2] - a22 * m[5];
        return new double[] {a11, a12, b1, a21, a22, b2};
    }

    /** {@code saturate_cast<int>(double)}: round half to even, clamped. */
    private static int saturateInt(double v) {
        double r = Math.rint(v);
        return r >= Integer.MAX_VALUE ? Integer.MAX_VALUE : r <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) r;
    }

    private static int saturateShort(int v) {
        return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
