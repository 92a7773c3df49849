package dev.loupe.inference.face;

import dev.loupe.inference.ModelUnavailableException;
import java.util.List;

/**
 * Where an SCRFD graph puts its heads, read from its outputs as insightface's {@code scrfd.py}
 * reads them: outputs come grouped as all strides' scores, then all boxes, then all landmarks.
 * <ul>
 *   <li>6 outputs: strides 8, 16, 32; two anchors per cell; no landmarks</li>
 *   <li>9 outputs: strides 8, 16, 32; two anchors per cell; landmarks</li>
 *   <li>10 outputs: strides 8 … 128; one anchor; no landmarks</li>
 *   <li>15 outputs: strides 8 … 128; one anchor; landmarks</li>
 * </ul>
 * The declared last dimensions (1, 4, 10) are checked, so a graph of another family fails at load.
 */
record ScrfdLayout(int[] strides, int anchors, boolean landmarks) {

    static ScrfdLayout of(DetectorGraph g) {
        long[] lastDims = new long[g.outputCount()];
        for (int i = 0; i < lastDims.length; i++) lastDims[i] = g.lastDim(i);
        return of(g.outputNames(), lastDims, g.inputSize());
    }

    /** From the outputs' names and declared last dimensions (≤ 0 where dynamic) and the input size. */
    static ScrfdLayout of(List<String> names, long[] lastDims, int inputSize) {
        ScrfdLayout layout = switch (names.size()) {
            case 6 -> new ScrfdLayout(new int[] {8, 16, 32}, 2, false);
            case 9 -> new ScrfdLayout(new int[] {8, 16, 32}, 2, true);
            case 10 -> new ScrfdLayout(new int[] {8, 16, 32, 64, 128}, 1, false);
            case 15 -> new ScrfdLayout(new int[] {8, 16, 32, 64, 128}, 1, true);
            default -> throw new ModelUnavailableException("face detector graph has " + names.size()
                    + " outputs " + names + ": not an SCRFD layout (6, 9, 10 or 15) nor YuNet (12: cls, obj, bbox, kps)");
        };
        int fmc = layout.strides.length;
        for (int i = 0; i < names.size(); i++) {
            long expected = i < fmc ? 1 : i < 2 * fmc ? 4 : 10;
            if (lastDims[i] > 0 && lastDims[i] != expected) {
                throw new ModelUnavailableException("SCRFD output " + i + " (" + names.get(i) + ") should end in " + expected
                        + " values per anchor, declares " + lastDims[i]);
            }
        }
        if (inputSize % layout.strides[fmc - 1] != 0) {
            throw new ModelUnavailableException("SCRFD input size " + inputSize + " is not a multiple of its largest stride " + layout.strides[fmc - 1]);
        }
        return layout;
    }

    /** Anchor rows of stride level {@code level} at input size {@code size}. */
    int rows(int level, int size) {
        int cells = size / strides[level];
        return cells * cells * anchors;
    }
}
