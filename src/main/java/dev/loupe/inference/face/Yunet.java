package dev.loupe.inference.face;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenCV's YuNet (face_detection_yunet_2023mar, MIT), decoded as OpenCV's
 * {@code FaceDetectorYN} (4.8+) does: BGR input, raw 0..255; per stride s and cell (row, col):
 * score = √(clamp(cls) × clamp(obj)); centre = ((col, row) + b[0..1]) × s; size = exp(b[2..3]) × s;
 * landmark k = (kps[k] + (col, row)) × s; then {@code NMSBoxes} at IoU 0.3 over the boxes truncated
 * to integer rectangles. Images are letterboxed top-left as for SCRFD, and results divided by
 * the scale, so coordinates are the source image's.
 */
public final class Yunet implements FaceDetector {
    private static final int[] BGR = {2, 1, 0};
    private static final int[] STRIDES = {8, 16, 32};
    /** OpenCV's sample and model zoo default. */
    static final float IOU = 0.3f;

    private final String name;
    private final DetectorGraph graph;

    Yunet(String name, DetectorGraph graph) {
        this.name = name;
        this.graph = graph;
    }

    /** Twelve outputs: cls, obj, bbox, kps, each for strides 8, 16 and 32, in that order. */
    static boolean matches(DetectorGraph g) {
        if (g.outputCount() != 12) return false;
        String[] heads = {"cls", "obj", "bbox", "kps"};
        for (int i = 0; i < 12; i++) {
            if (!g.outputNames().get(i).equals(heads[i / 3] + "_" + STRIDES[i % 3])) return false;
        }
        return true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean hasLandmarks() {
        return true;
    }

    @Override
    public int inputSize() {
        return graph.inputSize();
    }

    @Override
    public List<List<DetectedFace>> detectInputs(List<DetectorInput> inputs, FaceOptions options) {
        List<DetectorGraph.Raw> raws = graph.runLetterboxed(inputs, BGR, 0f, 1f);
        List<List<DetectedFace>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            DetectorInput in = inputs.get(i);
            out.add(Nms.select(decode(raws.get(i), options.threshold()), options, in.width(), in.height()));
        }
        return out;
    }

    /** The letterboxed BGR canvas of each image and the graph's outputs for it. */
    List<DetectorGraph.Raw> raw(List<BufferedImage> upright) {
        return graph.runLetterboxed(upright.stream().map(this::input).toList(), BGR, 0f, 1f);
    }

    /**
     * The faces of one image after threshold and suppression, most confident first. OpenCV
     * suppresses in the input's pixels (its integer rectangles are taken there), so the scale
     * back to source pixels comes after.
     */
    List<DetectedFace> decode(DetectorGraph.Raw raw, float threshold) {
        float scale = raw.letterbox().scale();
        return Nms.suppress(candidates(raw, threshold), IOU, Nms.Overlap.INTEGER_RECT).stream().map(f -> scaled(f, scale)).toList();
    }

    private static DetectedFace scaled(DetectedFace f, float scale) {
        FaceBox b = f.box();
        float[] xy = f.landmarks().toArray();
        for (int k = 0; k < xy.length; k++) xy[k] /= scale;
        return new DetectedFace(new FaceBox(b.x1() / scale, b.y1() / scale, b.x2() / scale, b.y2() / scale), f.score(), Landmarks.of(xy, 0));
    }

    /** Every cell scoring above {@code threshold} (OpenCV's NMSBoxes keeps score > threshold), in the input's pixels. */
    private List<DetectedFace> candidates(DetectorGraph.Raw raw, float threshold) {
        int size = graph.inputSize();
        List<DetectedFace> faces = new ArrayList<>();
        for (int level = 0; level < STRIDES.length; level++) {
            int s = STRIDES[level], cols = size / s, rows = size / s;
            float[] cls = raw.outputs()[level], obj = raw.outputs()[level + 3], bbox = raw.outputs()[level + 6], kps = raw.outputs()[level + 9];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int idx = r * cols + c;
                    float score = (float) Math.sqrt(clamp(cls[idx]) * clamp(obj[idx]));
                    if (!(score > threshold)) continue;
                    float cx = (c + bbox[4 * idx]) * s, cy = (r + bbox[4 * idx + 1]) * s;
                    float w = (float) Math.exp(bbox[4 * idx + 2]) * s, h = (float) Math.exp(bbox[4 * idx + 3]) * s;
                    float x1 = cx - w / 2f, y1 = cy - h / 2f;
                    float[] xy = new float[10];
                    for (int n = 0; n < 5; n++) {
                        xy[2 * n] = (kps[10 * idx + 2 * n] + c) * s;
                        xy[2 * n + 1] = (kps[10 * idx + 2 * n + 1] + r) * s;
                    }
                    faces.add(new DetectedFace(new FaceBox(x1, y1, x1 + w, y1 + h), score, Landmarks.of(xy, 0)));
                }
            }
        }
        return faces;
    }

    private static float clamp(float v) {
        return Math.min(1f, Math.max(0f, v));
    }

    @Override
    public void close() {
        graph.close();
    }
}
