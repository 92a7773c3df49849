package dev.loupe.media;

import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB, reproduced operation for operation so
 * model inputs equal those of the Python reference pipelines (open_clip, Immich), which
 * resize with Pillow: a separable convolution, horizontal pass then vertical pass, with
 * the filter stretched by the scale factor when shrinking (antialiasing), coefficients
 * normalised per output pixel and converted to 22-bit fixed point, and each pass
 * rounded and clipped to 8 bits. {@code NEAREST} is not a convolution in Pillow: it is
 * an affine scale that samples the source at each output pixel's centre.
 */
public final class Resampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Pillow's filters: support radius and kernel. */
    public enum Filter {
        NEAREST(0.5) { // a box kernel for completeness: resize samples instead, as Pillow does
            @Override
            double weight(double x) {
                return x >= -0.5 && x < 0.5 ? 1.0 : 0.0;
            }
        },
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            }
        },
        LANCZOS(3.0) {
            @Override
            double weight(double x) {
                if (x > -3.0 && x < 3.0) return sinc(x) * sinc(x / 3.0);
                return 0.0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);

        static double sinc(double x) {
            if (x == 0.0) return 1.0;
            x *= Math.PI;
            return Math.sin(x) / x;
        }

        /** The filter a preprocessing config names ({@code bicubic}, {@code bilinear}, {@code lanczos}, {@code nearest}). */
        public static Filter named(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown interpolation '" + name + "'; expected bicubic, bilinear, lanczos or nearest");
            }
        }
    }

    private Resampler() {}

    /** Resizes {@code src} to {@code width × height} exactly as Pillow would. */
    public static BufferedImage resize(BufferedImage src, int width, int height, Filter filter) {
        int inW = src.getWidth(), inH = src.getHeight();
        int[] pixels = src.getRGB(0, 0, inW, inH, null, 0, inW);
        if (filter == Filter.NEAREST) return image(nearest(pixels, inW, inH, width, height), width, height);
        if (width != inW) {
            pixels = horizontal(pixels, inW, inH, width, filter);
            inW = width;
        }
        if (height != inH) {
            pixels = vertical(pixels, inW, inH, height, filter);
        }
        return image(pixels, width, height);
    }

    private static BufferedImage image(int[] pixels, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, width, height, pixels, 0, width);
        return out;
    }

    /**
     * Pillow's {@code ImagingScaleAffine}: source positions are accumulated in double from
     * the first pixel centre by repeated addition of the scale, then truncated (computing
     * each as {@code (x + 0.5) * scale} picks a different pixel, e.g. 640 → 224 at x = 17);
     * a position past the source (out of reach in practice: the last centre is half a step
     * inside) is skipped and left black, as Pillow's loop leaves it.
     */
    private static int[] nearest(int[] in, int inW, int inH, int outW, int outH) {
        int[] xs = positions(inW, outW), ys = positions(inH, outH);
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            if (ys[y] < 0) continue;
            int row = ys[y] * inW;
            for (int x = 0; x < outW; x++) if (xs[x] >= 0) out[y * outW + x] = in[row + xs[x]];
        }
        return out;
    }

    private static int[] positions(int inSize, int outSize) {
        double step = (double) inSize / outSize;
        double pos = step * 0.5;
        int[] at = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            int p = (int) pos;
            at[i] = p < inSize ? p : -1;
            pos += step;
        }
        return at;
    }

    /** Output pixel i reads {@code bounds[2i]} onwards, {@code bounds[2i+1]} taps, weights at {@code i * taps}. */
    private record Coefficients(int taps, int[] bounds, int[] weights) {
    }

    private static Coefficients coefficients(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(1.0, scale);
        double support = filter.support * filterScale;
        int taps = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * taps];
        double[] k = new double[taps];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double sum = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                k[x] = w;
                sum += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = sum != 0.0 ? k[x] / sum : k[x];
                weights[xx * taps + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(taps, bounds, weights);
    }

    private static int[] horizontal(int[] in, int inW, int h, int outW, Filter filter) {
        Coefficients c = coefficients(inW, outW, filter);
        int[] out = new int[outW * h];
        for (int y = 0; y < h; y++) {
            int row = y * inW;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1], base = xx * c.taps;
                long r = 1L << (PRECISION_BITS - 1), g = r, b = r;
                for (int x = 0; x < xmax; x++) {
                    int px = in[row + xmin + x];
                    long w = c.weights[base + x];
                    r += ((px >> 16) & 0xff) * w;
                    g += ((px >> 8) & 0xff) * w;
                    b += (px & 0xff) * w;
                }
                out[y * outW + xx] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }

    private static int[] vertical(int[] in, int w, int inH, int outH, Filter filter) {
        Coefficients c = coefficients(inH, outH, filter);
        int[] out = new int[w * outH];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1], base = yy * c.taps;
            for (int x = 0; x < w; x++) {
                long r = 1L << (PRECISION_BITS - 1), g = r, b = r;
                for (int y = 0; y < ymax; y++) {
                    int px = in[(ymin + y) * w + x];
                    long wt = c.weights[base + y];
                    r += ((px >> 16) & 0xff) * wt;
                    g += ((px >> 8) & 0xff) * wt;
                    b += (px & 0xff) * wt;
                }
                out[yy * w + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }

    private static int clip8(long v) {
        if (v >= (255L + 1) << PRECISION_BITS) return 255;
        if (v <= 0) return 0;
        return (int) (v >> PRECISION_BITS);
    }
}
