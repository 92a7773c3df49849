package dev.loupe.inference.face;

import dev.loupe.api.LoupeException;

/**
 * What to keep of a detector's output for one image.
 *
 * @param threshold   minimum detection score, 0..1 (insightface and Mixpeek default 0.5)
 * @param minFaceSize faces whose box is narrower or shorter than this many source pixels are dropped (0 keeps all)
 * @param maxFaces    at most this many faces per image, ranked as insightface's {@code max_num} ranks them
 *                    (box area − 2 × squared distance of the box centre from the image centre); never more than
 *                    {@link #MAX_FACES_PER_IMAGE}, whatever is asked
 */
public record FaceOptions(float threshold, int minFaceSize, int maxFaces) {
    /**
     * The most faces Loupe keeps from one image even when no limit is asked for: a crowd photo
     * or an adversarial image of 500 tiny faces must not turn one object into unbounded work
     * (alignment, embedding and one document each). Group photos rarely hold more than a few dozen.
     */
    public static final int MAX_FACES_PER_IMAGE = 100;
    /** Larger than any face in an image Loupe decodes; bounds the option. */
    public static final int MAX_MIN_FACE_SIZE = 10_000;

    public static final FaceOptions DEFAULTS = new FaceOptions(0.5f, 0, MAX_FACES_PER_IMAGE);

    public FaceOptions {
        if (!(threshold >= 0 && threshold <= 1)) throw LoupeException.invalid("detection_threshold", "must be between 0 and 1, got " + threshold);
        if (minFaceSize < 0 || minFaceSize > MAX_MIN_FACE_SIZE) {
            throw LoupeException.invalid("min_face_size", "must be between 0 and " + MAX_MIN_FACE_SIZE + " pixels, got " + minFaceSize);
        }
        if (maxFaces < 1) throw LoupeException.invalid("max_faces_per_image", "must be at least 1, got " + maxFaces);
        maxFaces = Math.min(maxFaces, MAX_FACES_PER_IMAGE);
    }

    /** {@code maxFaces} null means "all", which is {@link #MAX_FACES_PER_IMAGE}. */
    public static FaceOptions of(float threshold, int minFaceSize, Integer maxFaces) {
        return new FaceOptions(threshold, minFaceSize, maxFaces == null ? MAX_FACES_PER_IMAGE : maxFaces);
    }
}
