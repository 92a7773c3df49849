package dev.loupe.inference.ocr;

/**
 * What bounds and tunes one {@link OcrEngine}. The defaults are RapidOCR's (which runs
 * PaddleOCR's graphs through ONNX Runtime as Loupe does), except where a cap bounds work.
 *
 * @param detectionMinSide   the detector's input is scaled up until its short side reaches this (RapidOCR: 736),
 * @param detectionMaxSide   … but its long side never passes this: the cap on detection work (Loupe's, 1280);
 *                           both sides are then rounded to multiples of 32
 * @param maxBoxesPerImage   at most this many text boxes per image are recognised, those the detector is surest of
 * @param minConfidence      lines the recogniser is less sure of are dropped (RapidOCR's text score 0.5)
 * @param db                 the detector's post-processing
 */
public record OcrOptions(int detectionMinSide, int detectionMaxSide, int maxBoxesPerImage, double minConfidence, DbOptions db) {
    /** Loupe's defaults; see the README's OCR section. */
    public static final OcrOptions DEFAULTS = new OcrOptions(736, 1280, 500, 0.5, DbOptions.RAPIDOCR);

    public OcrOptions {
        if (detectionMaxSide < 32 || detectionMaxSide > 4096) throw new IllegalArgumentException("detectionMaxSide must be in 32..4096, got " + detectionMaxSide);
        if (detectionMinSide < 32 || detectionMinSide > detectionMaxSide) {
            throw new IllegalArgumentException("detectionMinSide must be in 32..detectionMaxSide (" + detectionMaxSide + "), got " + detectionMinSide);
        }
        if (maxBoxesPerImage < 1 || maxBoxesPerImage > 10_000) throw new IllegalArgumentException("maxBoxesPerImage must be in 1..10000, got " + maxBoxesPerImage);
        if (!(minConfidence >= 0 && minConfidence <= 1)) throw new IllegalArgumentException("minConfidence must be in 0..1, got " + minConfidence);
        if (db == null) throw new IllegalArgumentException("db options must not be null");
    }

    /**
     * PaddleOCR's {@code DBPostProcess} parameters.
     *
     * @param threshold     probability above which a pixel is text
     * @param boxThreshold  a box whose mean probability is below this is dropped
     * @param unclipRatio   the box grows by {@code area × ratio / perimeter} on every side
     * @param maxCandidates at most this many contours are looked at
     * @param dilate        whether the bitmap is dilated with a 2×2 kernel first (RapidOCR does, PaddleOCR does not by default)
     */
    public record DbOptions(double threshold, double boxThreshold, double unclipRatio, int maxCandidates, boolean dilate) {
        /** RapidOCR's values (PaddleOCR's own: box threshold 0.6, unclip ratio 1.5, no dilation). */
        public static final DbOptions RAPIDOCR = new DbOptions(0.3, 0.5, 1.6, 1000, true);

        public DbOptions {
            if (!(threshold > 0 && threshold < 1)) throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
            if (!(boxThreshold >= 0 && boxThreshold < 1)) throw new IllegalArgumentException("boxThreshold must be in [0, 1), got " + boxThreshold);
            if (!(unclipRatio > 0 && unclipRatio <= 10)) throw new IllegalArgumentException("unclipRatio must be in (0, 10], got " + unclipRatio);
            if (maxCandidates < 1 || maxCandidates > 100_000) throw new IllegalArgumentException("maxCandidates must be in 1..100000, got " + maxCandidates);
        }
    }
}
