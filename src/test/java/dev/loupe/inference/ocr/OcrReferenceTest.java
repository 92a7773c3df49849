package dev.loupe.inference.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loupe's DB post-processing against PaddleOCR's {@code DBPostProcess} run by
 * {@code scripts/ocr_reference.py} (OpenCV contours and minimum-area rectangles, pyclipper's
 * unclip) on the same probability maps: the real detector's maps of drawn text, and synthetic
 * maps for the awkward cases. Every box must be found with each corner within 1 px and the
 * same score (±0.001: equal to 1e-6 on axis-aligned boxes; on rotated ones JTS and OpenCV place the
 * rectangle's float corners a hair apart, which moves a few mask pixels), and no extra box.
 */
class OcrReferenceTest {
    @TempDir
    static Path tmp;
    private static TextDetector detector;

    @BeforeAll
    static void load() {
        detector = new TextDetector(OcrGraph.load(TextDetector.RESOURCE), OcrOptions.DEFAULTS);
    }

    @AfterAll
    static void close() {
        detector.close();
    }

    @Test
    void boxesOnTheDetectorsMapOfPrintedTextMatchPaddleOcr() throws Exception {
        BufferedImage page = TextImages.lines(900, 420, new Color(250, 240, 200), new Color(30, 30, 90), TextImages.SERIF, 28,
                List.of("Invoice 2291 for Ada Lovelace", "Engines, gears and punched cards", "small print", "TOTAL 1,024.50 EUR"));
        assertMatches("page", detector.probabilities(page), page.getWidth(), page.getHeight(), OcrOptions.DbOptions.RAPIDOCR, 4);
    }

    @Test
    void boxesOnTheDetectorsMapOfRotatedTextMatchPaddleOcr() throws Exception {
        BufferedImage turned = TextImages.rotated(640, 480, TextImages.SANS, 36, "Rotated by twenty degrees", 20);
        assertMatches("rotated-text", detector.probabilities(turned), 640, 480, OcrOptions.DbOptions.RAPIDOCR, 1);
    }

    @Test
    void paddleOcrsOwnSettingsMatchToo() throws Exception {
        BufferedImage page = TextImages.lines(700, 300, Color.WHITE, Color.BLACK, TextImages.SANS, 24, List.of("no dilation here", "box threshold 0.6, unclip 1.5"));
        assertMatches("paddle", detector.probabilities(page), 700, 300, new OcrOptions.DbOptions(0.3, 0.6, 1.5, 1000, false), 2);
    }

    @Test
    void touchingBlobsMatchPaddleOcr() throws Exception {
        Map m = new Map(200, 120);
        m.rect(10, 10, 80, 30, 0.9f);
        m.rect(80, 10, 150, 30, 0.7f); // shares an edge with the first
        m.rect(150, 30, 190, 50, 0.8f); // touches the second at a corner only
        m.rect(20, 60, 120, 100, 0.95f);
        m.rect(50, 70, 70, 90, 0.0f); // a hole: OpenCV lists its border as a contour too
        // merged by the shared edge and corner, the top three make one box too empty to keep (score 0.39)
        assertMatches("touching", m.map(), 400, 240, OcrOptions.DbOptions.RAPIDOCR, 1);
    }

    @Test
    void rotatedBlobsMatchPaddleOcr() throws Exception {
        Map m = new Map(320, 240);
        m.rotatedRect(100, 80, 140, 24, 30, 0.85f);
        m.rotatedRect(220, 170, 120, 18, -12, 0.75f);
        m.rotatedRect(70, 190, 60, 40, 80, 0.9f);
        assertMatches("rotated", m.map(), 320, 240, OcrOptions.DbOptions.RAPIDOCR, 3);
    }

    @Test
    void tinySpecksAreDroppedAsPaddleOcrDropsThem() throws Exception {
        Map m = new Map(160, 160);
        Random r = new Random(13);
        for (int i = 0; i < 60; i++) {
            int x = r.nextInt(155), y = r.nextInt(155), s = 1 + r.nextInt(4);
            m.rect(x, y, x + s, y + s, 0.6f + 0.4f * r.nextFloat());
        }
        List<DbPostProcess.Box> loupe = assertMatches("specks", m.map(), 160, 160, OcrOptions.DbOptions.RAPIDOCR, 0);
        for (DbPostProcess.Box b : loupe) assertTrue(b.quad().side(0, 1) >= 5 && b.quad().side(0, 3) >= 5, "a kept speck is at least 5 px: " + b);
    }

    @Test
    void blobsAtTheBorderMatchPaddleOcr() throws Exception {
        Map m = new Map(240, 160);
        m.rect(0, 0, 60, 20, 0.9f); // the top-left corner
        m.rect(100, 140, 240, 160, 0.8f); // along the bottom, to the right edge
        m.rect(0, 60, 12, 120, 0.7f); // a thin strip on the left edge
        assertMatches("border", m.map(), 480, 320, OcrOptions.DbOptions.RAPIDOCR, 3);
    }

    @Test
    void softEdgesAndLowScoresMatchPaddleOcr() throws Exception {
        Map m = new Map(256, 128);
        Random r = new Random(7);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 256; x++) {
                double a = 1.6 * Math.exp(-(Math.pow((x - 70) / 40.0, 2) + Math.pow((y - 40) / 10.0, 2)));
                double b = 0.9 * Math.exp(-(Math.pow((x - 180) / 50.0, 2) + Math.pow((y - 90) / 14.0, 2)));
                m.p[y * 256 + x] = (float) Math.min(1, a + b + 0.05 * r.nextDouble());
            }
        }
        assertMatches("soft", m.map(), 512, 256, OcrOptions.DbOptions.RAPIDOCR, 1);
    }

    /** Loupe's boxes for the map, after checking them against the reference's; at least {@code atLeast} of them. */
    private static List<DbPostProcess.Box> assertMatches(String name, DbPostProcess.ProbabilityMap map, int destW, int destH, OcrOptions.DbOptions o, int atLeast)
            throws Exception {
        List<DbPostProcess.Box> loupe = DbPostProcess.boxes(map, destW, destH, o);
        List<DbPostProcess.Box> reference = DbReference.boxes(tmp, name, map, destW, destH, o);
        assertTrue(reference.size() >= atLeast, name + ": the reference finds " + reference.size() + " boxes, the case needs " + atLeast);
        assertEquals(reference.size(), loupe.size(), name + ": box count; reference " + reference + ", Loupe " + loupe);
        List<DbPostProcess.Box> unmatched = new ArrayList<>(loupe);
        for (DbPostProcess.Box want : reference) {
            DbPostProcess.Box found = unmatched.stream().filter(b -> within(b.quad(), want.quad(), 1.0)).findFirst().orElse(null);
            assertFalse(found == null, name + ": no Loupe box within 1 px of " + want + "; Loupe has " + unmatched);
            assertEquals(want.score(), found.score(), 1e-3, name + ": score of " + want);
            unmatched.remove(found);
        }
        return loupe;
    }

    private static boolean within(Quad a, Quad b, double px) {
        for (int i = 0; i < 4; i++) if (Math.abs(a.x(i) - b.x(i)) > px || Math.abs(a.y(i) - b.y(i)) > px) return false;
        return true;
    }

    /** A synthetic probability map. */
    private static final class Map {
        final int w, h;
        final float[] p;

        Map(int w, int h) {
            this.w = w;
            this.h = h;
            this.p = new float[w * h];
        }

        /** Sets [x0, x1) × [y0, y1) to v. */
        void rect(int x0, int y0, int x1, int y1, float v) {
            for (int y = Math.max(0, y0); y < Math.min(h, y1); y++) for (int x = Math.max(0, x0); x < Math.min(w, x1); x++) p[y * w + x] = v;
        }

        void rotatedRect(double cx, double cy, double len, double thick, double degrees, float v) {
            double c = Math.cos(Math.toRadians(degrees)), s = Math.sin(Math.toRadians(degrees));
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double u = (x - cx) * c + (y - cy) * s, t = -(x - cx) * s + (y - cy) * c;
                    if (Math.abs(u) <= len / 2 && Math.abs(t) <= thick / 2) p[y * w + x] = v;
                }
            }
        }

        DbPostProcess.ProbabilityMap map() {
            return new DbPostProcess.ProbabilityMap(p.clone(), w, h);
        }
    }
}
