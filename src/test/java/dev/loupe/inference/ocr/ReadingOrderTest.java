package dev.loupe.inference.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReadingOrderTest {
    private record Word(String text, Quad box) {
    }

    private static Word word(String text, double x0, double y0, double x1, double y1) {
        return new Word(text, new Quad(new double[] {x0, y0, x1, y0, x1, y1, x0, y1}));
    }

    /** A w × h box at (x, y), turned by {@code degrees} (positive: clockwise on screen) about (cx, cy), as a text layer is turned. */
    private static Word turned(String text, double x, double y, double w, double h, double degrees, double cx, double cy) {
        double a = Math.toRadians(degrees), cos = Math.cos(a), sin = Math.sin(a);
        double[] corners = {x, y, x + w, y, x + w, y + h, x, y + h}, xy = new double[8];
        for (int c = 0; c < 4; c++) {
            double dx = corners[2 * c] - cx, dy = corners[2 * c + 1] - cy;
            xy[2 * c] = cx + cos * dx - sin * dy;
            xy[2 * c + 1] = cy + sin * dx + cos * dy;
        }
        return new Word(text, new Quad(xy));
    }

    private static List<String> read(Word... words) {
        return ReadingOrder.sort(List.of(words), Word::box).stream().map(Word::text).toList();
    }

    @Test
    void boxesThatOverlapVerticallyByHalfTheSmallerHeightFormOneLineReadLeftToRight() {
        // "price" sits lower and is smaller than "Total", but overlaps it by more than half its height
        assertEquals(List.of("Total", "price", "next"), read(
                word("price", 300, 30, 380, 50), word("next", 10, 70, 90, 100), word("Total", 10, 12, 200, 48)));
    }

    @Test
    void smallLinesCloserThanTenPixelsStaySeparateLines() {
        // PaddleOCR's 10 px rule would swap these two into one line; they overlap not at all
        assertEquals(List.of("upper right", "lower left"), read(word("lower left", 10, 8, 100, 14), word("upper right", 120, 0, 220, 6)));
    }

    @Test
    void aTallBoxDoesNotPullTheNextLineIntoItsOwn() {
        assertEquals(List.of("tall", "a", "b"), read(word("tall", 10, 0, 60, 100), word("b", 200, 80, 260, 120), word("a", 100, 78, 160, 118)));
    }

    @Test
    void longLinesTurnedByFiveDegreesKeepTheirOrder() {
        // As scripts/ocr_images.py draws them: 30 px type, lines 1.25 × size high plus a gap of 0.6 × size,
        // the layer turned about its centre. A 900 px line tilted 5° spans 78 px vertically more than its height,
        // so its extent overlaps the lines above and below by far more than half their height.
        for (double degrees : new double[] {5, -5}) {
            double cx = 500, cy = 150;
            List<String> read = read(
                    turned("third", 40, 150 + 2 * 55.5, 500, 30, degrees, cx, cy),
                    turned("second", 40, 150 + 55.5, 900, 30, degrees, cx, cy),
                    turned("first", 40, 150, 420, 30, degrees, cx, cy));
            assertEquals(List.of("first", "second", "third"), read, "turned by " + degrees + "°");
        }
    }

    @Test
    void theWordsOfATurnedLineStayOneLineReadLeftToRight() {
        for (double degrees : new double[] {4, -4}) {
            List<String> read = read(
                    turned("net", 420, 120, 200, 30, degrees, 400, 130),
                    turned("total", 40, 120, 300, 30, degrees, 400, 130),
                    turned("under", 40, 175, 300, 30, degrees, 400, 130),
                    turned("due", 700, 120, 120, 30, degrees, 400, 130));
            assertEquals(List.of("total", "net", "due", "under"), read, "turned by " + degrees + "°");
        }
    }

    @Test
    void theSkewIsTheLengthWeightedMedianOfTheBoxesDirections() {
        Quad longTilted = turned("", 0, 0, 900, 30, 5, 0, 0).box();
        Quad shortFlat = turned("", 0, 100, 100, 30, 0, 0, 0).box();
        Quad vertical = turned("", 0, 200, 30, 400, 0, 0, 0).box();
        assertEquals(5, Math.toDegrees(ReadingOrder.skew(List.of(longTilted, shortFlat, shortFlat, vertical))), 1e-9);
        assertEquals(0, ReadingOrder.skew(List.of(vertical)));
    }

    @Test
    void cornersAreOrderedClockwiseFromTheTopLeftAndTinyBoxesDropped() {
        Quad shuffled = new Quad(new double[] {110, 40, 10, 12, 12, 42, 108, 10});
        assertEquals(new Quad(new double[] {10, 12, 108, 10, 110, 40, 12, 42}), ReadingOrder.clockwise(shuffled));
        assertNull(ReadingOrder.tidy(new Quad(new double[] {0, 0, 50, 0, 50, 3, 0, 3}), 100, 100));
        assertEquals(new Quad(new double[] {0, 0, 99, 0, 99, 20, 0, 20}), ReadingOrder.tidy(new Quad(new double[] {-5, 0, 120, 0, 120, 20, -5, 20}), 100, 100));
    }
}
