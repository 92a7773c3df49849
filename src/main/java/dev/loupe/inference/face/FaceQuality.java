package dev.loupe.inference.face;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;

/**
 * How usable a face is for recognition, each component in 0..1 (1 best). Mixpeek's
 * {@code quality_score} and {@code quality_components}.
 *
 * <ul>
 *   <li><b>sharpness</b> = v / (v + {@value #SHARPNESS_HALF}), v the variance of the 4-neighbour
 *       Laplacian of the aligned crop's luma (BT.601) over its inner 110×110 pixels: blur removes
 *       the high frequencies the Laplacian sees; a variance of {@value #SHARPNESS_HALF} grey²
 *       scores 0.5 (sharp frontal photos score 0.8–0.95, a 3-pixel blur under 0.3).</li>
 *   <li><b>size</b> = min(1, s / 112), s the box's shorter side in source pixels: below the
 *       recogniser's 112-pixel input the crop is upsampled and detail is missing.</li>
 *   <li><b>pose</b> = the mean of two symmetry ratios measured along the eye axis (so roll
 *       does not count): min/max of the nose's distances to the two eyes, and of its distances
 *       to the two mouth corners. A frontal face scores near 1, a profile near 0.</li>
 *   <li><b>score</b> = 0.4 · sharpness + 0.3 · size + 0.3 · pose.</li>
 * </ul>
 */
public record FaceQuality(float score, float sharpness, float size, float pose) {
    static final double SHARPNESS_HALF = 100;

    public static FaceQuality of(BufferedImage aligned, DetectedFace face) {
        float sharpness = sharpness(aligned);
        float size = (float) Math.min(1.0, Math.min(face.box().width(), face.box().height()) / FaceAligner.SIZE);
        size = Math.max(0, size);
        float pose = face.landmarks() == null ? 0 : pose(face.landmarks());
        return new FaceQuality(0.4f * sharpness + 0.3f * size + 0.3f * pose, sharpness, size, pose);
    }

    static float sharpness(BufferedImage crop) {
        int w = crop.getWidth(), h = crop.getHeight();
        if (w < 3 || h < 3) return 0;
        int[] rgb = Resampler.rgb(crop);
        double[] luma = new double[w * h];
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            luma[i] = 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
        }
        double sum = 0, sq = 0;
        int n = 0;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                double lap = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4 * luma[i];
                sum += lap;
                sq += lap * lap;
                n++;
            }
        }
        double var = sq / n - (sum / n) * (sum / n);
        return (float) (var / (var + SHARPNESS_HALF));
    }

    static float pose(Landmarks l) {
        double ex = l.rightEye().x() - l.leftEye().x(), ey = l.rightEye().y() - l.leftEye().y();
        double len = Math.hypot(ex, ey);
        if (len == 0) return 0;
        double ux = ex / len, uy = ey / len; // the eye axis: distances are measured along it
        double nose = along(l.nose(), ux, uy);
        double eyes = symmetry(nose - along(l.leftEye(), ux, uy), along(l.rightEye(), ux, uy) - nose);
        double mouth = symmetry(nose - along(l.mouthLeft(), ux, uy), along(l.mouthRight(), ux, uy) - nose);
        return (float) ((eyes + mouth) / 2);
    }

    private static double along(Point p, double ux, double uy) {
        return p.x() * ux + p.y() * uy;
    }

    /** min/max of two distances that should be equal; 0 when the nose is outside the pair. */
    private static double symmetry(double a, double b) {
        if (a <= 0 || b <= 0) return 0;
        return Math.min(a, b) / Math.max(a, b);
    }
}
