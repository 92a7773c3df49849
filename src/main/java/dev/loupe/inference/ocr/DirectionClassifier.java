package dev.loupe.inference.ocr;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * PaddleOCR's mobile v2 text direction classifier: a crop at 48×192 (see {@link LineTensor}),
 * two classes, 0° and 180°; a crop is turned when the graph says 180° with a score above
 * {@value #FLIP_SCORE} (PaddleOCR's {@code cls_thresh}). Crops go through in batches of
 * similar aspect, as PaddleOCR sorts them.
 */
final class DirectionClassifier implements AutoCloseable {
    static final String RESOURCE = "models/ch_ppocr_mobile_v2.0_cls_infer.onnx";
    static final int HEIGHT = 48, WIDTH = 192, BATCH = 16;
    static final double FLIP_SCORE = 0.9;

    private final OcrGraph graph;

    DirectionClassifier(OcrGraph graph) {
        this.graph = graph;
    }

    /** For each crop, whether it is upside down. */
    boolean[] upsideDown(List<BufferedImage> crops) {
        boolean[] flip = new boolean[crops.size()];
        int[] order = IntStream.range(0, crops.size()).boxed()
                .sorted(Comparator.comparingDouble(i -> (double) crops.get(i).getWidth() / crops.get(i).getHeight()))
                .mapToInt(Integer::intValue).toArray();
        int per = 3 * HEIGHT * WIDTH;
        for (int start = 0; start < order.length; start += BATCH) {
            int n = Math.min(BATCH, order.length - start);
            float[] t = new float[n * per];
            for (int k = 0; k < n; k++) LineTensor.write(crops.get(order[start + k]), HEIGHT, WIDTH, t, k * per);
            float[] scores = graph.run(t, n, HEIGHT, WIDTH).values();
            for (int k = 0; k < n; k++) flip[order[start + k]] = scores[2 * k + 1] > scores[2 * k] && scores[2 * k + 1] > FLIP_SCORE;
        }
        return flip;
    }

    /** The crops, those upside down turned. */
    List<BufferedImage> upright(List<BufferedImage> crops) {
        boolean[] flip = upsideDown(crops);
        List<BufferedImage> out = new ArrayList<>(crops.size());
        for (int i = 0; i < crops.size(); i++) out.add(flip[i] ? PerspectiveCrop.rotate180(crops.get(i)) : crops.get(i));
        return out;
    }

    @Override
    public void close() {
        graph.close();
    }
}
