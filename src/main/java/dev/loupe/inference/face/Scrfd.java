package dev.loupe.inference.face;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * insightface's SCRFD detectors (det_500m, det_2.5g, det_10g and their no-landmark and
 * five-stride variants), decoded as {@code insightface/model_zoo/scrfd.py} does: RGB input
 * {@code (x − 127.5) / 128}, letterboxed top-left; anchor centres on each stride's grid, each
 * repeated per anchor; box = centre ∓ distances × stride; landmark = centre + offset × stride;
 * scores ≥ threshold; NMS at IoU 0.4 with +1-pixel areas; everything divided by the letterbox
 * scale. Arithmetic is float32 in the reference's order so that results match it closely.
 */
public final class Scrfd implements FaceDetector {
    private static final int[] RGB = {0, 1, 2};
    private static final float MEAN = 127.5f, STD = 128f;

    private final String name;
    private final DetectorGraph graph;
    private final ScrfdLayout layout;

    Scrfd(String name, DetectorGraph graph, ScrfdLayout layout) {
        this.name = name;
        this.graph = graph;
        this.layout = layout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean hasLandmarks() {
        return layout.landmarks();
    }

    @Override
    public int inputSize() {
        return graph.inputSize();
    }

    ScrfdLayout layout() {
        return layout;
    }

    @Override
    public List<List<DetectedFace>> detectInputs(List<DetectorInput> inputs, FaceOptions options) {
        List<DetectorGraph.Raw> raws = graph.runLetterboxed(inputs, RGB, MEAN, STD);
        List<List<DetectedFace>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            DetectorInput in = inputs.get(i);
            out.add(Nms.select(decode(raws.get(i), options.threshold()), options, in.width(), in.height()));
        }
        return out;
    }

    /** Letterboxes and runs the graph on every image. */
    List<DetectorGraph.Raw> raw(List<BufferedImage> upright) {
        return graph.runLetterboxed(upright.stream().map(this::input).toList(), RGB, MEAN, STD);
    }

    /** The faces of one image after threshold and suppression, in source pixels, most confident first. */
    List<DetectedFace> decode(DetectorGraph.Raw raw, float threshold) {
        return Nms.suppress(candidates(raw, threshold), Nms.SCRFD_IOU, Nms.Overlap.PLUS_ONE);
    }

    /** Every anchor scoring at least {@code threshold}, in source pixels, in output order (before NMS). */
    private List<DetectedFace> candidates(DetectorGraph.Raw raw, float threshold) {
        int fmc = layout.strides().length, size = graph.inputSize(), anchors = layout.anchors();
        float scale = raw.letterbox().scale();
        List<DetectedFace> faces = new ArrayList<>();
        for (int level = 0; level < fmc; level++) {
            int stride = layout.strides()[level], cols = size / stride, rows = layout.rows(level, size);
            float[] scores = raw.outputs()[level], dist = raw.outputs()[level + fmc];
            float[] kps = layout.landmarks() ? raw.outputs()[level + 2 * fmc] : null;
            if (scores.length != rows || dist.length != 4 * rows || (kps != null && kps.length != 10 * rows)) {
                throw new IllegalStateException("SCRFD '" + name + "' stride " + stride + " gave " + scores.length + " scores, expected " + rows);
            }
            for (int r = 0; r < rows; r++) {
                float score = scores[r];
                if (!(score >= threshold)) continue;
                int cell = r / anchors;
                float cx = (float) ((cell % cols) * stride), cy = (float) ((cell / cols) * stride);
                FaceBox box = new FaceBox((cx - dist[4 * r] * stride) / scale, (cy - dist[4 * r + 1] * stride) / scale,
                        (cx + dist[4 * r + 2] * stride) / scale, (cy + dist[4 * r + 3] * stride) / scale);
                Landmarks marks = null;
                if (kps != null) {
                    float[] xy = new float[10];
                    for (int k = 0; k < 10; k++) xy[k] = ((k % 2 == 0 ? cx : cy) + kps[10 * r + k] * stride) / scale;
                    marks = Landmarks.of(xy, 0);
                }
                faces.add(new DetectedFace(box, score, marks));
            }
        }
        return faces;
    }

    @Override
    public void close() {
        graph.close();
    }
}
