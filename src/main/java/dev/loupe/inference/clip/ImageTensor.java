package dev.loupe.inference.clip;

import dev.loupe.media.Resampler;
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

    /**
     * The reference pipelines' geometry: {@code squash} resizes straight to the target
     * size; {@code shortest} is torchvision's {@code Resize(size)} (short side to the
     * target, long side truncated) followed by {@code CenterCrop} (offsets rounded half
     * to even, as Python's round does).
     */
    static BufferedImage resize(BufferedImage image, Preprocessing p) {
        Resampler.Filter filter = Resampler.Filter.named(p.interpolation());
        if (p.resizeMode() == Preprocessing.ResizeMode.SQUASH) return Resampler.resize(image, p.width(), p.height(), filter);
        int w = image.getWidth(), h = image.getHeight();
        int side = Math.min(p.width(), p.height());
        int newW, newH;
        if (w <= h) {
            newW = side;
            newH = (int) ((long) side * h / w);
        } else {
            newH = side;
            newW = (int) ((long) side * w / h);
        }
        BufferedImage scaled = (newW == w && newH == h) ? image : Resampler.resize(image, newW, newH, filter);
        int left = (int) Math.rint((newW - p.width()) / 2.0);
        int top = (int) Math.rint((newH - p.height()) / 2.0);
        return scaled.getSubimage(Math.max(0, left), Math.max(0, top), p.width(), p.height());
    }
}
