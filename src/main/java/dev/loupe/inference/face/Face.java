package dev.loupe.inference.face;

import java.awt.image.BufferedImage;

/**
 * One analysed face: what the detector found (source pixels of the upright image; a box may
 * reach a little past the image edge for a face cut by it), the aligned 112×112 crop, its
 * embedding (the recogniser's raw output; {@link #embedding()} normalised) and its quality.
 */
public record Face(DetectedFace detection, BufferedImage crop, float[] rawEmbedding, FaceQuality quality) {

    /** The embedding scaled to unit length, as cosine search and clustering compare it. */
    public float[] embedding() {
        float[] unit = rawEmbedding.clone();
        dev.loupe.inference.Vectors.normalise(unit);
        return unit;
    }
}
