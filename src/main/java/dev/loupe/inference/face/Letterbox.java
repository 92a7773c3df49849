package dev.loupe.inference.face;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;

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

    /** The source scaled to {@code scaledWidth × scaledHeight} (Pillow's bilinear), as planes: the canvas without its black border. */
    public Resampler.Planes scale(BufferedImage source) {
        return Resampler.planes(source, scaledWidth, scaledHeight, Resampler.Filter.BILINEAR);
    }

    /** The canvas: the scaled image (bilinear) at the top-left, black elsewhere. */
    public BufferedImage canvas(BufferedImage source) {
        Resampler.Planes scaled = scale(source);
        byte[][] c = {new byte[size * size], new byte[size * size], new byte[size * size]};
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < scaledHeight; y++) System.arraycopy(scaled.channel(ch), y * scaledWidth, c[ch], y * size, scaledWidth);
        }
        return new Resampler.Planes(size, size, c[0], c[1], c[2]).image();
    }

    /**
     * Writes the canvas of {@code scaled} (what {@link #scale} gave) as planar floats at
     * {@code offset} (absolute; the buffer's position is left alone), a row at a time: channel c of the model is the canvas's {@code order[c]} (0 red, 1 green,
     * 2 blue), as {@code (value − mean) / std}; the black border is {@code (0 − mean) / std}.
     * The 256 possible values are computed once, with the same float operations as per pixel.
     */
    void writeTensor(Resampler.Planes scaled, int[] order, float mean, float std, FloatBuffer out, int offset) {
        if (scaled.width() != scaledWidth || scaled.height() != scaledHeight) {
            throw new IllegalArgumentException("planes of " + scaled.width() + "×" + scaled.height() + " for a letterbox of " + scaledWidth + "×" + scaledHeight);
        }
        float[] value = new float[256];
        for (int v = 0; v < 256; v++) value[v] = (v - mean) / std;
        float black = value[0];
        int plane = size * size;
        float[] row = new float[size];
        for (int c = 0; c < 3; c++) {
            byte[] src = scaled.channel(order[c]);
            int base = offset + c * plane;
            java.util.Arrays.fill(row, scaledWidth, size, black);
            for (int y = 0; y < scaledHeight; y++) {
                int from = y * scaledWidth;
                for (int x = 0; x < scaledWidth; x++) row[x] = value[src[from + x] & 0xff];
                out.put(base + y * size, row);
            }
            java.util.Arrays.fill(row, black);
            for (int y = scaledHeight; y < size; y++) out.put(base + y * size, row);
        }
    }
}
