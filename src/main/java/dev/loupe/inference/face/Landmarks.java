package dev.loupe.inference.face;

/**
 * The five facial points detectors report, in insightface's order. "Left" is the subject's
 * left as the image shows it to the viewer's left, which is how SCRFD and YuNet number them.
 */
public record Landmarks(Point leftEye, Point rightEye, Point nose, Point mouthLeft, Point mouthRight) {

    /** The points as {@code x0, y0, … x4, y4}, in the order above. */
    public float[] toArray() {
        Point[] p = points();
        float[] out = new float[10];
        for (int i = 0; i < 5; i++) {
            out[2 * i] = p[i].x();
            out[2 * i + 1] = p[i].y();
        }
        return out;
    }

    public Point[] points() {
        return new Point[] {leftEye, rightEye, nose, mouthLeft, mouthRight};
    }

    /** From {@code x0, y0, … x4, y4} starting at {@code offset}. */
    public static Landmarks of(float[] xy, int offset) {
        Point[] p = new Point[5];
        for (int i = 0; i < 5; i++) p[i] = new Point(xy[offset + 2 * i], xy[offset + 2 * i + 1]);
        return new Landmarks(p[0], p[1], p[2], p[3], p[4]);
    }
}
