package dev.loupe.inference.ocr;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;

/**
 * PaddleOCR's {@code resize_norm_img} for the classifier and the recogniser: a text crop scaled
 * to the input height keeping its aspect (width {@code ceil(height × w / h)}, at most the input
 * width), written as BGR {@code (v / 255 − 0.5) / 0.5}, zeros to the right.
 */
final class LineTensor {
    private LineTensor() {}

    /** Writes the crop into a {@code 3 × height × width} slot of {@code out} at {@code offset}. */
    static void write(BufferedImage crop, int height, int width, float[] out, int offset) {
        double ratio = (double) crop.getWidth() / crop.getHeight();
        int resized = (int) Math.min(width, Math.max(1, Math.ceil(height * ratio)));
        BufferedImage sized = Resampler.resize(crop, resized, height, Resampler.Filter.BILINEAR);
        writeBgr(sized, out, offset, resized, height, width);
    }

    /** Writes {@code image}'s {@code w × h} pixels as planar BGR into a slot {@code stride} pixels wide. */
    static void writeBgr(BufferedImage image, float[] out, int offset, int w, int h, int stride) {
        int plane = stride * h;
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = rgb[y * w + x];
                int at = offset + y * stride + x;
                out[at] = ((p & 0xff) / 255f - 0.5f) / 0.5f;
                out[at + plane] = (((p >> 8) & 0xff) / 255f - 0.5f) / 0.5f;
                out[at + 2 * plane] = (((p >> 16) & 0xff) / 255f - 0.5f) / 0.5f;
            }
        }
    }
}
