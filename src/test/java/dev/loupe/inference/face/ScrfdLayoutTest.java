package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.inference.ModelUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScrfdLayoutTest {

    /** Outputs as insightface's exports declare them: scores (1), boxes (4), landmarks (10) per stride. */
    private static ScrfdLayout layout(int strides, boolean landmarks, int inputSize) {
        List<String> names = new ArrayList<>();
        List<Long> dims = new ArrayList<>();
        for (long d : landmarks ? new long[] {1, 4, 10} : new long[] {1, 4}) {
            for (int s = 0; s < strides; s++) {
                names.add("out" + names.size());
                dims.add(d);
            }
        }
        return ScrfdLayout.of(names, dims.stream().mapToLong(Long::longValue).toArray(), inputSize);
    }

    @Test
    void nineOutputsAreThreeStridesWithTwoAnchorsAndLandmarks() {
        ScrfdLayout l = layout(3, true, 640);
        assertArrayEquals(new int[] {8, 16, 32}, l.strides());
        assertEquals(2, l.anchors());
        assertTrue(l.landmarks());
        // insightface: 12800 + 3200 + 800 anchor rows at 640²
        assertEquals(List.of(12800, 3200, 800), List.of(l.rows(0, 640), l.rows(1, 640), l.rows(2, 640)));
    }

    @Test
    void sixOutputsAreThreeStridesWithoutLandmarks() {
        ScrfdLayout l = layout(3, false, 640);
        assertArrayEquals(new int[] {8, 16, 32}, l.strides());
        assertEquals(2, l.anchors());
        assertEquals(false, l.landmarks());
    }

    @Test
    void tenAndFifteenOutputsAreFiveStridesWithOneAnchor() {
        ScrfdLayout ten = layout(5, false, 640), fifteen = layout(5, true, 640);
        assertArrayEquals(new int[] {8, 16, 32, 64, 128}, ten.strides());
        assertEquals(1, ten.anchors());
        assertEquals(false, ten.landmarks());
        assertArrayEquals(new int[] {8, 16, 32, 64, 128}, fifteen.strides());
        assertEquals(1, fifteen.anchors());
        assertTrue(fifteen.landmarks());
        assertEquals(25, fifteen.rows(4, 640));
    }

    @Test
    void anOutputCountOfNoKnownLayoutIsRefusedAtLoad() {
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> ScrfdLayout.of(List.of("a", "b", "c"), new long[] {1, 4, 10}, 640));
        assertTrue(e.getMessage().contains("3 outputs"), e.getMessage());
    }

    @Test
    void headsInTheWrongOrderAreRefusedAtLoad() {
        // boxes where scores should be: a graph of another family, or outputs reordered by an export
        long[] dims = {4, 4, 4, 1, 1, 1, 10, 10, 10};
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i");
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> ScrfdLayout.of(names, dims, 640));
        assertTrue(e.getMessage().contains("output 0 (a) should end in 1"), e.getMessage());
    }

    @Test
    void anInputSizeTheLargestStrideDoesNotDivideIsRefused() {
        assertThrows(ModelUnavailableException.class, () -> layout(5, true, 672)); // 672 = 21 × 32, not a multiple of 128
        assertEquals(672 / 8 * (672 / 8) * 2, layout(3, true, 672).rows(0, 672));
    }
}
