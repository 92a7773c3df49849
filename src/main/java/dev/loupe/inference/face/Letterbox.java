package dev.loupe.inference.face;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;

/**
 * A source image fitted, aspect ratio kept, into a square detector input and pasted at its
 * top-left corner on a zero canvas, as insightface's SCRFD does (and as YuNet is fed here).
 * The scale is insightface's {@code det_scale}: the scaled height over the source height,
 * with the scaled sides truncated to whole pixels; detector outputs divided by it are source pixels.
 */
public record Letterbox(int size, int scaledWidth, int scaledHeight, float scale) {
    // Python floats are doubles: the ratio and the truncation follow insightface's arithmetic exactly.

    public static Letterbox fit(int width, int height, int size) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("empty image " + width + "×" + height);
        double ratio = (double) height / width;
        int w, h;
        if (ratio > 1) {
            h = size;
            w = Math.max(1, (int) (size / ratio));
        } else {
            w = size;
            h = Math.max(1, (int) (size * ratio));
        }
        return new Letterbox(size, w, h, (float) ((double) h / height));
    }

    /** The canvas: the scaled image (bilinear) at the top-left, black elsewhere. */
    public BufferedImage canvas(BufferedImage source) {
        BufferedImage scaled = (scaledWidth == source.getWidth() && scaledHeight == source.getHeight()) ? source
                : Resampler.resize(source, scaledWidth, scaledHeight, Resampler.Filter.BILINEAR);
        BufferedImage canvas = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int[] rgb = scaled.getRGB(0, 0, scaledWidth, scaledHeight, null, 0, scaledWidth);
        canvas.setRGB(0, 0, scaledWidth, scaledHeight, rgb, 0, scaledWidth);
        return canvas;
    }

    /**
     * Writes the canvas as planar floats at {@code offset}: channel c of the model is the
     * canvas's {@code order[c]} (0 red, 1 green, 2 blue), as {@code (value − mean) / std}.
     */
    static void writeTensor(BufferedImage canvas, int[] order, float mean, float std, float[] out, int offset) {
        int w = canvas.getWidth(), h = canvas.getHeight(), plane = w * h;
        int[] rgb = canvas.getRGB(0, 0, w, h, null, 0, w);
        for (int c = 0; c < 3; c++) {
            int shift = 16 - 8 * order[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) out[base + i] = (((rgb[i] >> shift) & 0xff) - mean) / std;
        }
    }
}
