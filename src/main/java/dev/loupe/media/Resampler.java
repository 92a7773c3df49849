package dev.loupe.media;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
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
    private static final int HALF = 1 << (PRECISION_BITS - 1);

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

    /**
     * An 8-bit RGB image as three row-major planes of {@code width × height} unsigned bytes:
     * the layout model tensors are built from, so a resize can end there without packing
     * pixels into an image and unpacking them again.
     */
    public record Planes(int width, int height, byte[] red, byte[] green, byte[] blue) {
        /** Channel 0 red, 1 green, 2 blue. */
        public byte[] channel(int c) {
            return switch (c) {
                case 0 -> red;
                case 1 -> green;
                case 2 -> blue;
                default -> throw new IllegalArgumentException("channel " + c + " of an RGB image");
            };
        }

        /** As a {@code TYPE_INT_RGB} image. */
        public BufferedImage image() {
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int[] data = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < data.length; i++) data[i] = (red[i] & 0xff) << 16 | (green[i] & 0xff) << 8 | (blue[i] & 0xff);
            return out;
        }

        static Planes of(int[] packed, int width, int height) {
            int n = width * height;
            byte[] r = new byte[n], g = new byte[n], b = new byte[n];
            for (int i = 0; i < n; i++) {
                int p = packed[i];
                r[i] = (byte) (p >> 16);
                g[i] = (byte) (p >> 8);
                b[i] = (byte) p;
            }
            return new Planes(width, height, r, g, b);
        }
    }

    /** Resizes {@code src} to {@code width × height} exactly as Pillow would. */
    public static BufferedImage resize(BufferedImage src, int width, int height, Filter filter) {
        return planes(src, width, height, filter).image();
    }

    /** {@link #resize}, as planes; {@code src} at its own size when the size is unchanged. */
    public static Planes planes(BufferedImage src, int width, int height, Filter filter) {
        int inW = src.getWidth(), inH = src.getHeight();
        int[] pixels = rgb(src);
        if (filter == Filter.NEAREST) return Planes.of(nearest(pixels, inW, inH, width, height), width, height);
        Planes p = width != inW ? horizontal(pixels, inW, inH, width, filter) : Planes.of(pixels, inW, inH);
        return height != inH ? vertical(p, height, filter) : p;
    }

    /**
     * The pixels as {@code 0x··RRGGBB} ints, row by row; the top byte is not alpha and must be
     * ignored. A plain image lends its own array ({@link #plainRgb}), which must not be written.
     */
    public static int[] rgb(BufferedImage image) {
        int[] own = plainRgb(image);
        return own != null ? own : image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /**
     * The image's own pixel array when it is a plain {@code TYPE_INT_RGB} image (what the
     * decoders give, not a sub-image), else null. Reading it directly saves {@code getRGB},
     * which converts pixel by pixel through the colour model and costs more than a resize.
     */
    public static int[] plainRgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_INT_RGB
                && image.getRaster().getDataBuffer() instanceof DataBufferInt data && data.getNumBanks() == 1 && data.getOffset() == 0
                && image.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel model && model.getScanlineStride() == w
                && image.getRaster().getSampleModelTranslateX() == 0 && image.getRaster().getSampleModelTranslateY() == 0
                && data.getData().length == w * h) {
            return data.getData();
        }
        return null;
    }

    /** A new {@code TYPE_INT_RGB} image of these {@code 0x··RRGGBB} pixels (copied in, without {@code setRGB}'s per-pixel conversion). */
    public static BufferedImage image(int[] pixels, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        System.arraycopy(pixels, 0, ((DataBufferInt) out.getRaster().getDataBuffer()).getData(), 0, width * height);
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

    /**
     * Pillow's {@code ImagingResampleHorizontal_8bpc}: 32-bit integer sums, as Pillow keeps
     * them (its 22-bit weights times 255 stay inside an int for every filter).
     */
    private static Planes horizontal(int[] in, int inW, int h, int outW, Filter filter) {
        Coefficients c = coefficients(inW, outW, filter);
        byte[] r = new byte[outW * h], g = new byte[outW * h], b = new byte[outW * h];
        int[] bounds = c.bounds, weights = c.weights;
        for (int y = 0; y < h; y++) {
            int row = y * inW, at = y * outW;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = row + bounds[xx * 2], xmax = bounds[xx * 2 + 1], base = xx * c.taps;
                int sr = HALF, sg = HALF, sb = HALF;
                for (int x = 0; x < xmax; x++) {
                    int px = in[xmin + x];
                    int w = weights[base + x];
                    sr += ((px >> 16) & 0xff) * w;
                    sg += ((px >> 8) & 0xff) * w;
                    sb += (px & 0xff) * w;
                }
                r[at + xx] = (byte) clip8(sr);
                g[at + xx] = (byte) clip8(sg);
                b[at + xx] = (byte) clip8(sb);
            }
        }
        return new Planes(outW, h, r, g, b);
    }

    /**
     * Pillow's {@code ImagingResampleVertical_8bpc}, a plane at a time and a whole output row
     * at a time, so that the inner loop runs along memory and the JIT vectorises it.
     */
    private static Planes vertical(Planes in, int outH, Filter filter) {
        int w = in.width();
        Coefficients c = coefficients(in.height(), outH, filter);
        byte[][] out = new byte[3][w * outH];
        int[] acc = new int[w];
        for (int ch = 0; ch < 3; ch++) {
            byte[] src = in.channel(ch), dst = out[ch];
            for (int yy = 0; yy < outH; yy++) {
                int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1], base = yy * c.taps;
                java.util.Arrays.fill(acc, HALF);
                for (int y = 0; y < ymax; y++) {
                    int wt = c.weights[base + y], row = (ymin + y) * w;
                    for (int x = 0; x < w; x++) acc[x] += (src[row + x] & 0xff) * wt;
                }
                int at = yy * w;
                for (int x = 0; x < w; x++) dst[at + x] = (byte) clip8(acc[x]);
            }
        }
        return new Planes(w, outH, out[0], out[1], out[2]);
    }

    /** Pillow's {@code clip8}: the sum's integer part, clamped to 0..255 (branch-free, so the loops above vectorise). */
    private static int clip8(int v) {
        return Math.min(255, Math.max(0, v >> PRECISION_BITS));
    }
}
