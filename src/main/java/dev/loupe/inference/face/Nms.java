package dev.loupe.inference.face;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Greedy non-maximum suppression and insightface's face ranking, shared by every detector. */
final class Nms {
    /** Overlap above which the lower-scored of two faces is dropped (insightface's and OpenCV's face detectors: 0.4 and 0.3). */
    static final float SCRFD_IOU = 0.4f;

    private Nms() {}

    /** How a detector's reference implementation measures overlap. */
    enum Overlap {
        /** insightface: areas of (x2 − x1 + 1) × (y2 − y1 + 1), float boxes. */
        PLUS_ONE,
        /** OpenCV's NMSBoxes over the boxes truncated to integer {@code Rect2i(x, y, w, h)}, areas w × h. */
        INTEGER_RECT
    }

    /**
     * The faces that survive greedy suppression, highest score first; equal scores keep
     * their input order.
     */
    static List<DetectedFace> suppress(List<DetectedFace> faces, float iou, Overlap overlap) {
        List<DetectedFace> order = new ArrayList<>(faces);
        order.sort(Comparator.comparingDouble((DetectedFace f) -> f.score()).reversed());
        float[][] boxes = new float[order.size()][];
        for (int i = 0; i < boxes.length; i++) boxes[i] = geometry(order.get(i).box(), overlap);
        boolean[] dropped = new boolean[order.size()];
        List<DetectedFace> kept = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            if (dropped[i]) continue;
            kept.add(order.get(i));
            for (int j = i + 1; j < order.size(); j++) {
                if (!dropped[j] && overlap(boxes[i], boxes[j], overlap) > iou) dropped[j] = true;
            }
        }
        return kept;
    }

    /** x1, y1, x2, y2, area in the overlap measure's convention. */
    private static float[] geometry(FaceBox b, Overlap overlap) {
        return switch (overlap) {
            case PLUS_ONE -> new float[] {b.x1(), b.y1(), b.x2(), b.y2(), (b.x2() - b.x1() + 1) * (b.y2() - b.y1() + 1)};
            case INTEGER_RECT -> {
                int x = (int) b.x1(), y = (int) b.y1(), w = (int) b.width(), h = (int) b.height();
                yield new float[] {x, y, x + w, y + h, (float) w * h};
            }
        };
    }

    private static float overlap(float[] a, float[] b, Overlap overlap) {
        float one = overlap == Overlap.PLUS_ONE ? 1 : 0;
        float w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + one);
        float h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + one);
        float inter = w * h;
        float union = a[4] + b[4] - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /**
     * At most {@code max} faces, ranked as insightface's {@code max_num} does: box area minus
     * twice the squared distance of the box centre from the image centre, so large central
     * faces win (centre by integer division, as insightface takes it); the survivors come in that order.
     */
    static List<DetectedFace> mostProminent(List<DetectedFace> faces, int max, int imageWidth, int imageHeight) {
        if (faces.size() <= max) return faces;
        double cx = imageWidth / 2, cy = imageHeight / 2;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) idx.add(i);
        idx.sort(Comparator.comparingDouble((Integer i) -> prominence(faces.get(i).box(), cx, cy)).reversed());
        return idx.subList(0, max).stream().map(faces::get).toList();
    }

    static double prominence(FaceBox b, double cx, double cy) {
        double dx = (b.x1() + b.x2()) / 2.0 - cx, dy = (b.y1() + b.y2()) / 2.0 - cy;
        return (double) b.width() * b.height() - 2.0 * (dx * dx + dy * dy);
    }

    /**
     * A detector's last step for one image, after suppression: the minimum size (the box's
     * shorter side, in source pixels), then the most prominent {@code options.maxFaces()}.
     */
    static List<DetectedFace> select(List<DetectedFace> suppressed, FaceOptions options, int imageWidth, int imageHeight) {
        List<DetectedFace> kept = suppressed.stream().filter(f -> Math.min(f.box().width(), f.box().height()) >= options.minFaceSize()).toList();
        return mostProminent(kept, options.maxFaces(), imageWidth, imageHeight);
    }
}
