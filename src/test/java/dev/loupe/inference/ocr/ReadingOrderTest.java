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
    void cornersAreOrderedClockwiseFromTheTopLeftAndTinyBoxesDropped() {
        Quad shuffled = new Quad(new double[] {110, 40, 10, 12, 12, 42, 108, 10});
        assertEquals(new Quad(new double[] {10, 12, 108, 10, 110, 40, 12, 42}), ReadingOrder.clockwise(shuffled));
        assertNull(ReadingOrder.tidy(new Quad(new double[] {0, 0, 50, 0, 50, 3, 0, 3}), 100, 100));
        assertEquals(new Quad(new double[] {0, 0, 99, 0, 99, 20, 0, 20}), ReadingOrder.tidy(new Quad(new double[] {-5, 0, 120, 0, 120, 20, -5, 20}), 100, 100));
    }
}
