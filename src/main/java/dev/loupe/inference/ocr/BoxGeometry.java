package dev.loupe.inference.ocr;

import java.util.Arrays;
import java.util.Comparator;
import org.locationtech.jts.algorithm.MinimumAreaRectangle;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.operation.buffer.BufferOp;
import org.locationtech.jts.operation.buffer.BufferParameters;

/**
 * The DB post-processing's geometry on JTS: PaddleOCR's {@code get_mini_boxes}
 * ({@code cv2.minAreaRect} + {@code cv2.boxPoints}, corners put in clockwise order) and its
 * {@code unclip} (pyclipper's {@code JT_ROUND} offset of the box by
 * {@code area × ratio / perimeter}).
 */
final class BoxGeometry {
    private static final GeometryFactory GEOMETRY = new GeometryFactory();
    /**
     * Segments per quarter circle of a round join. pyclipper (ArcTolerance 0.25) uses about
     * as many at the offsets DB boxes get; the minimum-area rectangle taken afterwards touches
     * the arcs only at their ends, which both place exactly on the offset edges.
     */
    private static final int QUADRANT_SEGMENTS = 8;

    private BoxGeometry() {}

    /** A minimum-area rectangle's corners and its short side, which the DB filter reads. */
    record MiniBox(Quad quad, double shortSide) {
    }

    /** {@code get_mini_boxes} of points {@code x0, y0, x1, y1, …}; null when they span no area (a point or a segment). */
    static MiniBox miniBox(double[] xy) {
        Coordinate[] cs = new Coordinate[xy.length / 2];
        for (int i = 0; i < cs.length; i++) cs[i] = new Coordinate(xy[2 * i], xy[2 * i + 1]);
        Geometry points = GEOMETRY.createMultiPointFromCoords(cs);
        Geometry rect = MinimumAreaRectangle.getMinimumRectangle(points);
        if (!(rect instanceof Polygon p) || p.getArea() == 0) return null;
        Coordinate[] ring = p.getExteriorRing().getCoordinates();
        Coordinate[] c = Arrays.copyOf(ring, 4);
        double shortSide = Math.min(c[0].distance(c[1]), c[1].distance(c[2]));
        // PaddleOCR sorts the corners by x (a stable sort), then takes the upper of the two
        // leftmost as the first and the upper of the two rightmost as the second.
        Coordinate[] s = c.clone();
        Arrays.sort(s, Comparator.comparingDouble(q -> q.x));
        Coordinate tl, bl, tr, br;
        if (s[1].y > s[0].y) {
            tl = s[0];
            bl = s[1];
        } else {
            tl = s[1];
            bl = s[0];
        }
        if (s[3].y > s[2].y) {
            tr = s[2];
            br = s[3];
        } else {
            tr = s[3];
            br = s[2];
        }
        return new MiniBox(new Quad(new double[] {tl.x, tl.y, tr.x, tr.y, br.x, br.y, bl.x, bl.y}), shortSide);
    }

    /**
     * {@code unclip}: the box grown by {@code area × ratio / perimeter} with round corners. As
     * in PaddleOCR, the distance comes from the exact box while pyclipper offsets integer
     * points (its corners truncated towards zero) and answers integer points (rounded).
     * Returns the grown outline's points {@code x0, y0, …}.
     */
    static double[] unclip(Quad box, double ratio) {
        double perimeter = box.perimeter();
        double distance = perimeter == 0 ? 0 : box.area() * ratio / perimeter;
        Coordinate[] ring = new Coordinate[5];
        for (int i = 0; i < 4; i++) ring[i] = new Coordinate((long) box.x(i), (long) box.y(i));
        ring[4] = ring[0];
        Polygon polygon = GEOMETRY.createPolygon(ring);
        BufferParameters params = new BufferParameters(QUADRANT_SEGMENTS, BufferParameters.CAP_ROUND, BufferParameters.JOIN_ROUND, BufferParameters.DEFAULT_MITRE_LIMIT);
        Geometry grown = BufferOp.bufferOp(polygon, distance, params);
        Coordinate[] cs = grown.getCoordinates();
        double[] xy = new double[cs.length * 2];
        for (int i = 0; i < cs.length; i++) {
            xy[2 * i] = clipperRound(cs[i].x);
            xy[2 * i + 1] = clipperRound(cs[i].y);
        }
        return xy;
    }

    /** Clipper's {@code Round}: half away from zero. */
    private static double clipperRound(double v) {
        return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
    }
}
