package dev.loupe.inference.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.testing.Fixtures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@link OcrEngine} reads on the real PP-OCRv4 graphs, scored by character error rate (CER). */
class OcrEngineTest {
    private static final double MAX_CER = 0.02;
    private static OcrEngine engine;

    @BeforeAll
    static void load() {
        engine = OcrEngine.bundled();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void readsTheSharedTestImagesWithinTwoPercentCharacterErrors() throws Exception {
        Path dir = Fixtures.shared().resolve("data/ocr");
        JsonNode truth = new ObjectMapper().readTree(dir.resolve("ground_truth.json").toFile());
        List<BufferedImage> images = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = truth.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            images.add(ImageIO.read(dir.resolve(e.getKey()).toFile()));
            List<String> lines = new ArrayList<>();
            e.getValue().forEach(l -> lines.add(l.asText()));
            expected.add(String.join("\n", lines));
        }
        assertTrue(images.size() >= 2, "ground_truth.json lists the shared images");
        List<List<OcrLine>> read = engine.readAll(images);
        for (int i = 0; i < images.size(); i++) {
            String got = OcrLine.joined(read.get(i));
            assertTrue(cer(expected.get(i), got) <= MAX_CER, "CER " + cer(expected.get(i), got) + "\nexpected:\n" + expected.get(i) + "\ngot:\n" + got);
        }
    }

    @Test
    void readsTheWordsPrintedOnAnImageAtSixteenToFortyPixels() {
        List<String> lines = List.of("Harbour lights at 6:45 pm", "Quartz 1897 jumbled wax", "Order #A-77 shipped");
        int totalErrors = 0, totalChars = 0;
        for (float size : new float[] {16, 24, 32, 40}) {
            for (String font : List.of(TextImages.SANS, TextImages.SERIF, TextImages.MONO)) {
                BufferedImage img = TextImages.lines((int) (size * 22), (int) (size * 6.5), Color.WHITE, Color.BLACK, font, size, lines);
                String got = OcrLine.joined(engine.read(img));
                String want = String.join("\n", lines);
                totalErrors += levenshtein(want, got);
                totalChars += want.length();
                assertTrue(cer(want, got) <= 0.05, size + " px " + font + ": CER " + cer(want, got) + ", got:\n" + got);
            }
        }
        assertTrue((double) totalErrors / totalChars <= MAX_CER, "CER over all sizes and fonts " + (double) totalErrors / totalChars);
    }

    @Test
    void linesComeBackInReadingOrderWithClockwiseBoxesInSourcePixels() {
        BufferedImage img = TextImages.lines(800, 260, Color.WHITE, Color.BLACK, TextImages.SANS, 30, List.of("first line here", "second line below"));
        Graphics2D g = img.createGraphics();
        g.setFont(TextImages.font(TextImages.SANS, 30));
        g.setColor(Color.BLACK);
        g.drawString("right", 600, 45); // on the first visual line, drawn last, read after "first line here"
        g.dispose();
        List<OcrLine> lines = engine.read(img);
        assertEquals(List.of("first line here", "right", "second line below"), lines.stream().map(OcrLine::text).toList());
        for (OcrLine l : lines) {
            List<OcrLine.Point> b = l.box();
            assertTrue(b.get(0).x() < b.get(1).x() && b.get(3).x() < b.get(2).x(), "left corners first: " + b);
            assertTrue(b.get(0).y() < b.get(3).y() && b.get(1).y() < b.get(2).y(), "top corners above bottom ones: " + b);
            for (OcrLine.Point p : b) assertTrue(p.x() >= 0 && p.x() < 800 && p.y() >= 0 && p.y() < 260, "inside the image: " + p);
            assertTrue(l.confidence() >= OcrOptions.DEFAULTS.minConfidence() && l.confidence() <= 1, "confidence " + l.confidence());
        }
        assertTrue(lines.getFirst().box().get(0).x() < 60 && lines.getFirst().box().get(1).x() > 200, "box spans the text: " + lines.getFirst().box());
    }

    @Test
    void readsTextTurnedUpsideDown() {
        BufferedImage img = TextImages.rotated(700, 200, TextImages.SANS, 36, "Upside down sign 2024", 180);
        assertEquals("Upside down sign 2024", OcrLine.joined(engine.read(img)));
    }

    @Test
    void readsAVerticalBoxTurnedAQuarter() {
        BufferedImage img = TextImages.rotated(200, 700, TextImages.SANS, 36, "Vertical banner", -90);
        assertEquals("Vertical banner", OcrLine.joined(engine.read(img)));
    }

    @Test
    void readsAVerticalBoxWrittenTopToBottom() {
        // turned 90° counter-clockwise like every tall crop, it comes out upside down and the classifier turns it back
        BufferedImage img = TextImages.rotated(200, 700, TextImages.SANS, 36, "Downward reading", 90);
        assertEquals("Downward reading", OcrLine.joined(engine.read(img)));
    }

    @Test
    void oneEngineReadsFromSeveralThreadsAtOnceAsFromOne() throws Exception {
        List<BufferedImage> images = List.of(
                TextImages.lines(600, 150, Color.WHITE, Color.BLACK, TextImages.SANS, 30, List.of("thread one text")),
                TextImages.lines(600, 150, Color.WHITE, Color.BLUE, TextImages.SERIF, 28, List.of("second thread 42")),
                TextImages.lines(600, 150, Color.YELLOW, Color.BLACK, TextImages.MONO, 26, List.of("third: mono")));
        List<String> alone = images.stream().map(i -> OcrLine.joined(engine.read(i))).toList();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
            for (int round = 0; round < 2; round++) for (BufferedImage i : images) futures.add(pool.submit(() -> OcrLine.joined(engine.read(i))));
            for (int k = 0; k < futures.size(); k++) assertEquals(alone.get(k % images.size()), futures.get(k).get());
        }
        assertEquals(List.of("thread one text", "second thread 42", "third: mono"), alone);
    }

    @Test
    void aClosedEngineRefusesToRead() {
        OcrEngine e = OcrEngine.bundled();
        e.close();
        e.close();
        assertThrows(IllegalStateException.class, () -> e.read(new BufferedImage(5, 5, BufferedImage.TYPE_INT_RGB)));
    }

    @Test
    void readsTextOnAColouredBackground() {
        BufferedImage img = TextImages.lines(760, 200, new Color(200, 30, 40), new Color(255, 235, 120), TextImages.SERIF, 34, List.of("Grand Opening Sale", "Everything 40% off"));
        String got = OcrLine.joined(engine.read(img));
        assertTrue(cer("Grand Opening Sale\nEverything 40% off", got) <= MAX_CER, got);
    }

    @Test
    void keepsTheSpaceAfterAColonOrFullStopAndNoneInsideNumbersAndAddresses() {
        // the recogniser gives the space class little weight after punctuation; TextRecognizer reads the gap's width instead
        List<String> printed = List.of("Net Wt. 262 g (9.2 oz)", "TOTAL: $609.28", "Lot: 3M7-776", "Time: 12:30", "Site: www.loupe.dev");
        List<String> misread = new ArrayList<>();
        int cases = 0;
        for (float size : new float[] {20, 26, 34}) {
            for (String font : List.of(TextImages.SANS, TextImages.SERIF)) {
                BufferedImage img = TextImages.lines((int) (size * 18), (int) (size * 9), Color.WHITE, Color.BLACK, font, size, printed);
                List<String> got = engine.read(img).stream().map(OcrLine::text).toList();
                cases++;
                if (!got.equals(printed)) misread.add(size + " px " + Path.of(font).getFileName() + ": " + got);
            }
        }
        assertTrue(misread.size() <= 1, misread.size() + " of " + cases + " images misread:\n" + String.join("\n", misread));
    }

    @Test
    void readsAGrayscaleImage() {
        BufferedImage rgb = TextImages.lines(600, 150, Color.LIGHT_GRAY, Color.DARK_GRAY, TextImages.SANS, 30, List.of("Grey scale 123"));
        BufferedImage gray = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(rgb, 0, 0, null);
        assertEquals("Grey scale 123", OcrLine.joined(engine.read(gray)));
    }

    @Test
    void aBlankImageHasNoLines() {
        BufferedImage blank = TextImages.lines(640, 480, Color.WHITE, Color.BLACK, TextImages.SANS, 20, List.of());
        assertEquals(List.of(), engine.read(blank));
        assertEquals("", OcrLine.joined(engine.read(blank)));
    }

    @Test
    void aOnePixelImageHasNoLines() {
        assertEquals(List.of(), engine.read(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)));
    }

    @Test
    void aHugeImageIsDetectedAtTheCappedSizeAndStillRead() {
        int[] size = TextDetector.inputSize(8000, 6000, OcrOptions.DEFAULTS);
        assertEquals(1280, size[0]);
        assertEquals(960, size[1]);
        BufferedImage huge = TextImages.lines(4000, 3000, Color.WHITE, Color.BLACK, TextImages.SANS, 160, List.of("BIG POSTER TEXT"));
        List<OcrLine> lines = engine.read(huge);
        assertEquals("BIG POSTER TEXT", OcrLine.joined(lines));
        assertTrue(lines.getFirst().box().get(1).x() > 1000, "the box is in source pixels: " + lines.getFirst().box());
    }

    @Test
    void detectionInputIsScaledUpToTheShortSideAndCappedOnTheLongOne() {
        assertEquals(List.of(736, 736), List.of(TextDetector.inputSize(1, 1, OcrOptions.DEFAULTS)[0], TextDetector.inputSize(1, 1, OcrOptions.DEFAULTS)[1]));
        int[] wide = TextDetector.inputSize(900, 300, OcrOptions.DEFAULTS);
        assertEquals(1280, wide[0]);
        assertEquals(416, wide[1]); // 300 × 1280 / 900 = 426.7 → 427, nearest multiple of 32
        int[] sliver = TextDetector.inputSize(1, 5000, OcrOptions.DEFAULTS);
        assertEquals(32, sliver[0]);
        assertEquals(1280, sliver[1]);
    }

    @Test
    void theBoxCapBoundsTheLinesOfABusyImage() {
        try (OcrEngine capped = OcrEngine.bundled(new OcrOptions(736, 1280, 2, 0.5, OcrOptions.DbOptions.RAPIDOCR))) {
            BufferedImage img = TextImages.lines(700, 400, Color.WHITE, Color.BLACK, TextImages.SANS, 28, List.of("one", "two", "three", "four", "five"));
            assertEquals(2, capped.read(img).size());
        }
    }

    @Test
    void aBatchReadsEachImageAsAlone() {
        BufferedImage a = TextImages.lines(600, 150, Color.WHITE, Color.BLACK, TextImages.SANS, 30, List.of("alpha bravo"));
        BufferedImage b = TextImages.lines(600, 150, Color.WHITE, Color.BLACK, TextImages.SERIF, 30, List.of("charlie delta"));
        List<List<OcrLine>> both = engine.readAll(List.of(a, b, new BufferedImage(5, 5, BufferedImage.TYPE_INT_RGB)));
        assertEquals(3, both.size());
        assertEquals("alpha bravo", OcrLine.joined(both.get(0)));
        assertEquals("charlie delta", OcrLine.joined(both.get(1)));
        assertEquals(List.of(), both.get(2));
        assertEquals(List.of(), engine.readAll(List.of()));
    }

    @Test
    void aNullImageIsRefusedByPosition() {
        List<BufferedImage> withNull = new ArrayList<>();
        withNull.add(new BufferedImage(5, 5, BufferedImage.TYPE_INT_RGB));
        withNull.add(null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> engine.readAll(withNull)).getMessage().contains("image 1"));
    }

    @Test
    void theDictionaryMatchesTheRecognisersMetadata() {
        Map<String, String> meta = OcrGraph.metadataProps(OcrGraph.bytes(TextRecognizer.RESOURCE), TextRecognizer.RESOURCE);
        List<String> dictionary = TextRecognizer.dictionary(new String(OcrGraph.bytes(TextRecognizer.DICTIONARY), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(6623, dictionary.size());
        assertEquals(dictionary, TextRecognizer.dictionary(meta.get("character")));
        assertTrue(dictionary.contains("𣇉"), "a character outside the BMP survives the protobuf read");
    }

    static double cer(String reference, String hypothesis) {
        return reference.isEmpty() ? (hypothesis.isEmpty() ? 0 : 1) : (double) levenshtein(reference, hypothesis) / reference.length();
    }

    /** Edit distance in UTF-16 units: substitutions, deletions and insertions each cost 1. */
    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Test
    void levenshteinCountsEdits() {
        assertEquals(0, levenshtein("abc", "abc"));
        assertEquals(1, levenshtein("abc", "abd"));
        assertEquals(1, levenshtein("abc", "ab"));
        assertEquals(2, levenshtein("abc", "xabcy"));
        assertEquals(3, levenshtein("", "abc"));
    }
}
