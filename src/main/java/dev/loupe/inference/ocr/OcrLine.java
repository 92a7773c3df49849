package dev.loupe.inference.ocr;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One line of text found on an image: what it says, how sure the recogniser is (the mean
 * probability of the characters it kept, 0..1), and where it is.
 *
 * @param box the four corners in source pixels, clockwise from top-left (top-left, top-right,
 *            bottom-right, bottom-left as the text reads, before any 180° turn the classifier applied)
 */
public record OcrLine(String text, double confidence, List<Point> box) {

    /** A corner in source pixels (x right, y down). */
    public record Point(double x, double y) {
    }

    public OcrLine {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        if (!(confidence >= 0 && confidence <= 1)) throw new IllegalArgumentException("confidence must be in 0..1, got " + confidence);
        box = List.copyOf(box);
        if (box.size() != 4) throw new IllegalArgumentException("a box has 4 corners, got " + box.size());
    }

    /** {@code ocr_text}: the lines' texts in the order given (reading order, as {@link OcrEngine} returns them), joined with "\n". */
    public static String joined(List<OcrLine> lines) {
        return lines.stream().map(OcrLine::text).collect(Collectors.joining("\n"));
    }
}
