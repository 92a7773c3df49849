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
    static final double PUNCTUATION_GAP = 0.75, PUNCTUATION_SPACE = 0.001;
    static final int MIN_ADVANCES = 3;
    private static final String PUNCTUATION = ".:,;";

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
     * <p>Two additions put in the spaces the Chinese PP-OCRv4 recogniser leaves out between Latin
     * words ("Totalamountdue"), where blank wins the gap; the inserted space does not count
     * towards the confidence.
     * <ol>
     *   <li>A space goes between two characters when, on the blank steps between them, the space
     *       class reached {@value #SPACE_IN_GAP}. On {@code ../shared/data/ocr} and on noisy,
     *       turned, JPEG-compressed drawn text, such gaps give the space 0.023–0.49 (lower when a
     *       crop is padded to a wider batch), gaps inside words at most 0.012 (after a hyphen),
     *       mostly under 0.002.
     *   <li>After {@code . : , ;} the space class stays low even where a space was printed
     *       ({@code "TOTAL: $609.28"}, {@code "Net Wt. 262 g"}: 0.002–0.019, overlapping the
     *       0.0005–0.011 of {@code "12:30"}, {@code "9.2"}), but the gap is wide: there a space goes
     *       in when the blank steps number at least {@value #PUNCTUATION_GAP} of the line's median
     *       advance (steps from one character's first step to the next one's) and the space class
     *       reached {@value #PUNCTUATION_SPACE} on them. On the generated benchmark set
     *       (scripts/ocr_images.py, 100 images) that finds 30 of the 40 spaces after punctuation
     *       the first rule misses and adds 1 where none was printed, of 175 such gaps; the narrow
     *       glyphs of a dotted address or decimal leave 0–2 blank steps. The floor keeps out the
     *       wide cell of a colon in a monospaced face ({@code "6:45"} in DejaVu Sans Mono), whose
     *       gap is as wide as a proportional face's space but gives the space class almost nothing.
     * </ol>
     */
    Text decode(float[] probs, int offset, int steps) {
        int c = classes.size(), space = c - 1;
        // first pass: the kept characters, where each starts and ends, and the space class's best on the blank steps before it
        List<int[]> kept = new ArrayList<>(); // class, first step, last step
        List<Double> spaceBefore = new ArrayList<>();
        double sum = 0, spaceInGap = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++) {
            int base = offset + t * c, best = 0;
            for (int k = 1; k < c; k++) if (probs[base + k] > probs[base + best]) best = k;
            if (best == 0) {
                spaceInGap = Math.max(spaceInGap, probs[base + space]);
            } else if (best != previous) {
                kept.add(new int[] {best, t, t});
                spaceBefore.add(spaceInGap);
                sum += probs[base + best];
                spaceInGap = 0;
            } else {
                kept.getLast()[2] = t;
            }
            previous = best;
        }
        double advance = medianAdvance(kept);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kept.size(); i++) {
            int k = kept.get(i)[0];
            if (k != space && i > 0 && !sb.isEmpty() && sb.charAt(sb.length() - 1) != ' ') {
                int blanks = kept.get(i)[1] - kept.get(i - 1)[2] - 1;
                boolean afterPunctuation = PUNCTUATION.indexOf(classes.get(kept.get(i - 1)[0])) >= 0 && classes.get(kept.get(i - 1)[0]).length() == 1;
                if (spaceBefore.get(i) >= SPACE_IN_GAP || (afterPunctuation && advance > 0 && blanks >= PUNCTUATION_GAP * advance && spaceBefore.get(i) >= PUNCTUATION_SPACE)) sb.append(' ');
            }
            sb.append(classes.get(k));
        }
        return new Text(sb.toString(), kept.isEmpty() ? 0 : Math.min(1, sum / kept.size()));
    }

    /** Median steps between consecutive characters' first steps; 0 below {@value #MIN_ADVANCES} advances, too few to be typical. */
    private static double medianAdvance(List<int[]> kept) {
        if (kept.size() - 1 < MIN_ADVANCES) return 0;
        int[] a = new int[kept.size() - 1];
        for (int i = 1; i < kept.size(); i++) a[i - 1] = kept.get(i)[1] - kept.get(i - 1)[1];
        java.util.Arrays.sort(a);
        return a[a.length / 2];
    }

    @Override
    public void close() {
        graph.close();
    }
}
