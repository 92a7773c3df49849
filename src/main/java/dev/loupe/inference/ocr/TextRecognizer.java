package dev.loupe.inference.ocr;

import dev.loupe.inference.ModelUnavailableException;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * PP-OCRv4's CTC recogniser. Crops are sorted by aspect and run in batches; each batch is
 * {@value #HEIGHT} high and {@code 48 × max(320 / 48, widest aspect in the batch)} wide (capped
 * at {@value #MAX_ASPECT}:1, a longer crop is squeezed), zeros to the right. The output's classes
 * are the CTC blank, the dictionary ({@code ppocr_keys_v1.txt}), then a space; decoding is greedy.
 */
final class TextRecognizer implements AutoCloseable {
    static final String RESOURCE = "models/ch_PP-OCRv4_rec_infer.onnx";
    static final String DICTIONARY = "models/ppocr_keys_v1.txt";
    static final int HEIGHT = 48, MIN_WIDTH = 320, BATCH = 8;
    static final double MAX_ASPECT = 100;
    static final double SPACE_IN_GAP = 0.02;

    private final OcrGraph graph;
    private final List<String> classes;

    /** A recognised crop: its text and the mean probability of the characters kept. */
    record Text(String text, double confidence) {
    }

    TextRecognizer(OcrGraph graph) {
        this.graph = graph;
        List<String> dictionary = dictionary(new String(OcrGraph.bytes(DICTIONARY), StandardCharsets.UTF_8));
        String fromGraph = graph.metadata("character");
        if (fromGraph != null && !dictionary(fromGraph).equals(dictionary)) {
            throw new ModelUnavailableException("the recogniser's dictionary " + DICTIONARY + " (" + dictionary.size() + " characters) differs from the one in "
                    + RESOURCE + "'s metadata (" + dictionary(fromGraph).size() + ")");
        }
        List<String> c = new ArrayList<>(dictionary.size() + 2);
        c.add("");
        c.addAll(dictionary);
        c.add(" ");
        this.classes = List.copyOf(c);
    }

    /** One character a line, as PaddleOCR reads it (line ends stripped, nothing else). */
    static List<String> dictionary(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String c = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            out.add(c);
        }
        if (!out.isEmpty() && out.getLast().isEmpty()) out.removeLast();
        return out;
    }

    int classCount() {
        return classes.size();
    }

    List<Text> recognise(List<BufferedImage> crops) {
        Text[] out = new Text[crops.size()];
        double[] aspect = crops.stream().mapToDouble(c -> (double) c.getWidth() / c.getHeight()).toArray();
        int[] order = IntStream.range(0, crops.size()).boxed().sorted(Comparator.comparingDouble(i -> aspect[i])).mapToInt(Integer::intValue).toArray();
        for (int start = 0; start < order.length; start += BATCH) {
            int n = Math.min(BATCH, order.length - start);
            double widest = (double) MIN_WIDTH / HEIGHT;
            for (int k = 0; k < n; k++) widest = Math.max(widest, Math.min(MAX_ASPECT, aspect[order[start + k]]));
            int width = (int) (HEIGHT * widest);
            int per = 3 * HEIGHT * width;
            float[] t = new float[n * per];
            for (int k = 0; k < n; k++) LineTensor.write(crops.get(order[start + k]), HEIGHT, width, t, k * per);
            OcrGraph.Output o = graph.run(t, n, HEIGHT, width);
            long[] shape = o.shape();
            if (shape.length != 3 || shape[2] != classes.size()) {
                throw new IllegalStateException("recogniser gave shape " + java.util.Arrays.toString(shape) + ", expected [N,T," + classes.size() + "]");
            }
            int steps = (int) shape[1];
            for (int k = 0; k < n; k++) out[order[start + k]] = decode(o.values(), k * steps * classes.size(), steps);
        }
        return List.of(out);
    }

    /**
     * Greedy CTC: the best class per step, repeats collapsed, blanks dropped; confidence is the
     * mean probability of the kept steps (0 when none).
     *
     * <p>One addition: a space is put between two characters when, on the blank steps between
     * them, the space class reached {@value #SPACE_IN_GAP}. The Chinese PP-OCRv4 recogniser
     * often lets blank win the gap between Latin words ("Totalamountdue"); on
     * {@code ../shared/data/ocr} and on noisy, turned, JPEG-compressed drawn text, such gaps give the space 0.023–0.49 (lower when a crop is padded to a wider batch), gaps inside words at most 0.012 (after a hyphen), mostly under 0.002.
     * The inserted space does not count towards the confidence.
     */
    Text decode(float[] probs, int offset, int steps) {
        int c = classes.size(), space = c - 1;
        StringBuilder sb = new StringBuilder();
        double sum = 0, spaceInGap = 0;
        int kept = 0, previous = -1;
        for (int t = 0; t < steps; t++) {
            int base = offset + t * c, best = 0;
            for (int k = 1; k < c; k++) if (probs[base + k] > probs[base + best]) best = k;
            if (best == 0) {
                spaceInGap = Math.max(spaceInGap, probs[base + space]);
            } else if (best != previous) {
                if (best != space && spaceInGap >= SPACE_IN_GAP && !sb.isEmpty() && sb.charAt(sb.length() - 1) != ' ') sb.append(' ');
                sb.append(classes.get(best));
                sum += probs[base + best];
                kept++;
                spaceInGap = 0;
            }
            previous = best;
        }
        return new Text(sb.toString(), kept == 0 ? 0 : Math.min(1, sum / kept));
    }

    @Override
    public void close() {
        graph.close();
    }
}
