package dev.loupe.inference.ocr;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Local OCR on PaddleOCR's PP-OCRv4 models, run through ONNX Runtime as RapidOCR runs them:
 * DB text detection ({@link TextDetector}, {@link DbPostProcess}), a perspective crop per box
 * ({@link PerspectiveCrop}), the 0°/180° direction classifier ({@link DirectionClassifier}) and
 * CTC recognition ({@link TextRecognizer}). The graphs ship on the class path in
 * {@value OcrGraph#ARTIFACT} (Apache-2.0), so nothing is downloaded.
 *
 * <p>Bounds (see {@link OcrOptions}): the detector sees the image at most
 * {@code detectionMaxSide} (1280) pixels on its long side; at most {@code maxBoxesPerImage} (500)
 * boxes per image are recognised; lines below {@code minConfidence} (0.5, RapidOCR's text score)
 * are dropped. An engine loads its three graphs once, in {@link #bundled}; {@link #read} and
 * {@link #readAll} may then be called from several threads. Keep one engine and close it at the end.
 */
public final class OcrEngine implements AutoCloseable {
    private final OcrOptions options;
    private final TextDetector detector;
    private final DirectionClassifier classifier;
    private final TextRecognizer recognizer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OcrEngine(OcrOptions options, OcrGraph detector, OcrGraph classifier, OcrGraph recognizer) {
        this.options = options;
        this.detector = new TextDetector(detector, options);
        this.classifier = new DirectionClassifier(classifier);
        this.recognizer = new TextRecognizer(recognizer);
    }

    /** A new engine on the bundled graphs with {@link OcrOptions#DEFAULTS}; each call loads the graphs (about 16 MB) anew. */
    public static OcrEngine bundled() {
        return bundled(OcrOptions.DEFAULTS);
    }

    public static OcrEngine bundled(OcrOptions options) {
        List<OcrGraph> loaded = new ArrayList<>(3);
        try {
            for (String r : List.of(TextDetector.RESOURCE, DirectionClassifier.RESOURCE, TextRecognizer.RESOURCE)) loaded.add(OcrGraph.load(r));
            return new OcrEngine(options, loaded.get(0), loaded.get(1), loaded.get(2));
        } catch (RuntimeException e) {
            loaded.forEach(OcrGraph::close);
            throw e;
        }
    }

    public OcrOptions options() {
        return options;
    }

    /** The lines on one upright image, in reading order. */
    public List<OcrLine> read(BufferedImage upright) {
        return readAll(List.of(upright)).getFirst();
    }

    /**
     * The lines on each image, in reading order. Detection runs image by image (its input
     * follows each image's shape); classification and recognition run over the crops of all
     * the images together, in batches of similar aspect.
     */
    public List<List<OcrLine>> readAll(List<BufferedImage> images) {
        if (closed.get()) throw new IllegalStateException("this OCR engine is closed");
        record Crop(int image, Quad box, BufferedImage pixels) {
        }
        List<Crop> crops = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            if (image == null) throw new IllegalArgumentException("image " + i + " is null");
            for (DbPostProcess.Box b : detector.detect(image)) {
                Quad q = ReadingOrder.tidy(b.quad(), image.getWidth(), image.getHeight());
                if (q != null) crops.add(new Crop(i, q, PerspectiveCrop.crop(image, q)));
            }
        }
        List<BufferedImage> upright = classifier.upright(crops.stream().map(Crop::pixels).toList());
        List<TextRecognizer.Text> texts = recognizer.recognise(upright);
        List<List<OcrLine>> perImage = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) perImage.add(new ArrayList<>());
        for (int k = 0; k < crops.size(); k++) {
            TextRecognizer.Text t = texts.get(k);
            String text = t.text().strip();
            if (text.isEmpty() || t.confidence() < options.minConfidence()) continue;
            Quad q = crops.get(k).box();
            List<OcrLine.Point> corners = new ArrayList<>(4);
            for (int c = 0; c < 4; c++) corners.add(new OcrLine.Point(q.x(c), q.y(c)));
            perImage.get(crops.get(k).image()).add(new OcrLine(text, t.confidence(), corners));
        }
        List<List<OcrLine>> out = new ArrayList<>(images.size());
        for (List<OcrLine> lines : perImage) out.add(ReadingOrder.sort(lines, OcrEngine::quad));
        return out;
    }

    private static Quad quad(OcrLine line) {
        double[] xy = new double[8];
        for (int c = 0; c < 4; c++) {
            xy[2 * c] = line.box().get(c).x();
            xy[2 * c + 1] = line.box().get(c).y();
        }
        return new Quad(xy);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        detector.close();
        classifier.close();
        recognizer.close();
    }
}
