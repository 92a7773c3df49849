package dev.loupe.inference.ocr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Where boxes stand and in which order they are read.
 *
 * <p>Lines: the boxes are first turned upright by the page's skew, the length-weighted median
 * of their own directions (left-edge midpoint to right-edge midpoint); in those coordinates
 * boxes are taken by their top edge, top first; a box belongs to the visual line of the first
 * box of that line (its seed) when their vertical extents overlap by at least half the smaller
 * of the two heights; a line reads left to right, lines top to bottom. Without the turn, a long
 * line tilted by a few degrees reaches higher at its raised end than a line set just above it,
 * and its vertical extent (its own height plus length × sin angle) swallows its neighbours':
 * it was read first ({@code gen_070} of the OCR benchmark's generated set). The median follows
 * the long boxes, whose directions are sure, and a page whose text is turned as a whole (a
 * photographed receipt) is set straight; one line at another angle than the rest is still
 * measured in the page's frame. PaddleOCR's {@code sorted_boxes} instead swaps neighbours whose
 * top-left corners are within 10 pixels vertically: a fixed distance that merges small lines set
 * closer than 10 px and splits large text whose baseline wanders more. Overlap scales with the
 * text.
 */
final class ReadingOrder {
    private static final double LINE_OVERLAP = 0.5;
    static final double MAX_SKEW_DEGREES = 30;

    private ReadingOrder() {}

    /**
     * PaddleOCR's {@code order_points_clockwise}: the two leftmost corners (by x) give the
     * top-left and bottom-left (by y), the other two the top-right and bottom-right.
     */
    static Quad clockwise(Quad q) {
        Integer[] byX = {0, 1, 2, 3};
        Arrays.sort(byX, Comparator.comparingDouble(q::x));
        int tl = byX[0], bl = byX[1], tr = byX[2], br = byX[3];
        if (q.y(bl) < q.y(tl)) {
            int t = tl;
            tl = bl;
            bl = t;
        }
        if (q.y(br) < q.y(tr)) {
            int t = tr;
            tr = br;
            br = t;
        }
        return new Quad(new double[] {q.x(tl), q.y(tl), q.x(tr), q.y(tr), q.x(br), q.y(br), q.x(bl), q.y(bl)});
    }

    /**
     * PaddleOCR's {@code filter_tag_det_res} for one box: corners ordered and clipped into the
     * image; null when a side is 3 pixels or shorter (truncated), too small to hold a character.
     */
    static Quad tidy(Quad box, int width, int height) {
        Quad q = clockwise(box).map(x -> Math.min(width - 1, Math.max(0, x)), y -> Math.min(height - 1, Math.max(0, y)));
        if ((int) q.side(0, 1) <= 3 || (int) q.side(0, 3) <= 3) return null;
        return q;
    }

    /** The items in reading order, each placed by its box. */
    static <T> List<T> sort(List<T> items, Function<T, Quad> box) {
        record Extent<T>(T item, double top, double bottom, double left) {
        }
        List<Quad> quads = items.stream().map(box).toList();
        double skew = skew(quads), cos = Math.cos(-skew), sin = Math.sin(-skew);
        List<Extent<T>> es = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Quad q = quads.get(i);
            double[] xy = new double[8];
            for (int c = 0; c < 4; c++) {
                xy[2 * c] = cos * q.x(c) - sin * q.y(c);
                xy[2 * c + 1] = sin * q.x(c) + cos * q.y(c);
            }
            Quad upright = new Quad(xy);
            es.add(new Extent<>(items.get(i), upright.minY(), upright.maxY(), upright.minX()));
        }
        es.sort(Comparator.<Extent<T>>comparingDouble(Extent::top).thenComparingDouble(Extent::left));
        List<List<Extent<T>>> lines = new ArrayList<>();
        boolean[] placed = new boolean[es.size()];
        for (int s = 0; s < es.size(); s++) {
            if (placed[s]) continue;
            Extent<T> seed = es.get(s);
            List<Extent<T>> line = new ArrayList<>(List.of(seed));
            placed[s] = true;
            for (int k = s + 1; k < es.size(); k++) {
                Extent<T> e = es.get(k);
                if (e.top() > seed.bottom()) break; // sorted by top: nothing later overlaps the seed
                double overlap = Math.min(seed.bottom(), e.bottom()) - Math.max(seed.top(), e.top());
                double smaller = Math.min(seed.bottom() - seed.top(), e.bottom() - e.top());
                if (!placed[k] && overlap >= LINE_OVERLAP * smaller) {
                    line.add(e);
                    placed[k] = true;
                }
            }
            line.sort(Comparator.comparingDouble(Extent::left));
            lines.add(line);
        }
        return lines.stream().flatMap(List::stream).map(Extent::item).toList();
    }

    /**
     * The page's skew in radians (positive: text falling to the right on screen): the median of
     * the boxes' directions, each weighted by its length. Boxes steeper than {@value #MAX_SKEW_DEGREES}°
     * (vertical text, a box as tall as it is wide, whose direction means nothing) do not vote; with no
     * vote the page is taken as straight.
     */
    static double skew(List<Quad> boxes) {
        record Vote(double angle, double weight) {
        }
        List<Vote> votes = new ArrayList<>();
        double total = 0;
        for (Quad q : boxes) {
            Quad c = clockwise(q);
            double dx = (c.x(1) + c.x(2) - c.x(0) - c.x(3)) / 2, dy = (c.y(1) + c.y(2) - c.y(0) - c.y(3)) / 2;
            double length = Math.hypot(dx, dy), angle = Math.atan2(dy, dx);
            if (length == 0 || Math.abs(angle) > Math.toRadians(MAX_SKEW_DEGREES) || length < c.side(0, 3)) continue;
            votes.add(new Vote(angle, length));
            total += length;
        }
        if (votes.isEmpty()) return 0;
        votes.sort(Comparator.comparingDouble(Vote::angle));
        double half = total / 2, seen = 0;
        for (Vote v : votes) {
            seen += v.weight();
            if (seen >= half) return v.angle();
        }
        return votes.getLast().angle();
    }
}
