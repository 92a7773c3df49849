package dev.loupe.inference.face;

/** A face's bounding box in the source image's pixels; x2, y2 are exclusive edges as detectors report them. */
public record FaceBox(float x1, float y1, float x2, float y2) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    public float area() {
        return Math.max(0, width()) * Math.max(0, height());
    }
}
