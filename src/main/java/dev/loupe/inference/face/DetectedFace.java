package dev.loupe.inference.face;

/**
 * One face a detector found: its box and landmarks in the source image's pixels and the
 * detector's confidence. {@code landmarks} is null only for detectors without a landmark head
 * (SCRFD's 6- and 10-output variants); such faces cannot be aligned.
 */
public record DetectedFace(FaceBox box, float score, Landmarks landmarks) {
}
