package dev.loupe.inference;

import dev.loupe.media.Thumbnailer;
import java.awt.image.BufferedImage;

/** Turns an upright RGB image into the planar, normalised floats a vision model takes. */
public final class ImageTensor {
    private ImageTensor() {}

    /** Writes {@code 3 × height × width} floats (channel-major) into {@code out} at {@code offset}. */
    public static void write(BufferedImage image, Preprocessing p, float[] out, int offset) {
        BufferedImage sized = resize(image, p);
        int w = p.width(), h = p.height(), plane = w * h;
        int[] rgb = sized.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            int px = rgb[i];
            out[offset + i] = (((px >> 16) & 0xff) / 255f - p.mean()[0]) / p.std()[0];
            out[offset + plane + i] = (((px >> 8) & 0xff) / 255f - p.mean()[1]) / p.std()[1];
            out[offset + 2 * plane + i] = ((px & 0xff) / 255f - p.mean()[2]) / p.std()[2];
        }
    }

    static BufferedImage resize(BufferedImage image, Preprocessing p) {
        if (p.resizeMode().equals("squash")) return Thumbnailer.Resize.to(image, p.width(), p.height());
        double scale = Math.max(p.width() / (double) image.getWidth(), p.height() / (double) image.getHeight());
        int w = Math.max(p.width(), (int) Math.round(image.getWidth() * scale));
        int h = Math.max(p.height(), (int) Math.round(image.getHeight() * scale));
        BufferedImage scaled = Thumbnailer.Resize.to(image, w, h);
        return scaled.getSubimage((w - p.width()) / 2, (h - p.height()) / 2, p.width(), p.height());
    }
}
