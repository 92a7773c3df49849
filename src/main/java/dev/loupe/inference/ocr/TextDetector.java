package dev.loupe.inference.ocr;

import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.List;

/**
 * PP-OCRv4's DB text detector: the image is scaled (see {@link #inputSize}), written as BGR
 * (PaddleOCR's models learnt from OpenCV's channel order) normalised to
 * {@code (v / 255 − 0.5) / 0.5}, and the graph's probability map goes through
 * {@link DbPostProcess}. One image per run: the input size follows the image's shape.
 */
final class TextDetector implements AutoCloseable {
    static final String RESOURCE = "models/ch_PP-OCRv4_det_infer.onnx";

    private final OcrGraph graph;
    private final OcrOptions options;

    TextDetector(OcrGraph graph, OcrOptions options) {
        this.graph = graph;
        this.options = options;
    }

    /**
     * The detector's input size for a {@code width × height} image: scaled up so the short side
     * reaches {@code detectionMinSide} (RapidOCR), then down so the long side is at most
     * {@code detectionMaxSide} (the cap wins), each side rounded to a multiple of 32, at least 32.
     */
    static int[] inputSize(int width, int height, OcrOptions options) {
        double ratio = Math.max(1.0, (double) options.detectionMinSide() / Math.min(width, height));
        ratio = Math.min(ratio, (double) options.detectionMaxSide() / Math.max(width, height));
        int w = (int) (width * ratio), h = (int) (height * ratio);
        return new int[] {round32(w, options.detectionMaxSide()), round32(h, options.detectionMaxSide())};
    }

    private static int round32(int v, int max) {
        int r = (int) Math.rint(v / 32.0) * 32;
        return Math.max(32, Math.min(max / 32 * 32, r));
    }

    /** The graph's probability map for the image at the detector's input size. */
    DbPostProcess.ProbabilityMap probabilities(BufferedImage image) {
        int[] size = inputSize(image.getWidth(), image.getHeight(), options);
        int w = size[0], h = size[1];
        BufferedImage sized = Resampler.resize(image, w, h, Resampler.Filter.BILINEAR);
        float[] t = new float[3 * w * h];
        LineTensor.writeBgr(sized, t, 0, w, h, w);
        OcrGraph.Output out = graph.run(t, 1, h, w);
        return new DbPostProcess.ProbabilityMap(out.values(), w, h);
    }

    /** Boxes in source pixels, surest first, at most {@code maxBoxesPerImage}. */
    List<DbPostProcess.Box> detect(BufferedImage image) {
        List<DbPostProcess.Box> boxes = DbPostProcess.boxes(probabilities(image), image.getWidth(), image.getHeight(), options.db());
        return boxes.stream().sorted(Comparator.comparingDouble(DbPostProcess.Box::score).reversed()).limit(options.maxBoxesPerImage()).toList();
    }

    @Override
    public void close() {
        graph.close();
    }
}
