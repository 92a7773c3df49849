package dev.loupe.inference.face;

import java.awt.image.BufferedImage;

/**
 * One analysed face: what the detector found (source pixels of the upright image; a box may
 * reach a little past the image edge for a face cut by it), the aligned 112×112 crop, its
 * L2-normalised embedding and its quality.
 */
public record Face(DetectedFace detection, BufferedImage crop, float[] embedding, FaceQuality quality) {
}
