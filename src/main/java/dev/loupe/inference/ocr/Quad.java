package dev.loupe.inference.ocr;

import java.util.Arrays;

/**
 * Four corners {@code x0, y0, … x3, y3}, clockwise on screen from the top-left, in the order
 * PaddleOCR's {@code get_mini_boxes} gives them.
 */
record Quad(double[] xy) {
    Quad {
        if (xy.length != 8) throw new IllegalArgumentException("a quad has 8 coordinates, got " + xy.length);
        xy = xy.clone();
    }

    double x(int corner) {
        return xy[2 * corner];
    }

    double y(int corner) {
        return xy[2 * corner + 1];
    }

    double minX() {
        return Math.min(Math.min(x(0), x(1)), Math.min(x(2), x(3)));
    }

    double maxX() {
        return Math.max(Math.max(x(0), x(1)), Math.max(x(2), x(3)));
    }

    double minY() {
        return Math.min(Math.min(y(0), y(1)), Math.min(y(2), y(3)));
    }

    double maxY() {
        return Math.max(Math.max(y(0), y(1)), Math.max(y(2), y(3)));
    }

    /** Distance between two corners. */
    double side(int a, int b) {
        return Math.hypot(x(a) - x(b), y(a) - y(b));
    }

    /** Shoelace area. */
    double area() {
        double s = 0;
        for (int i = 0; i < 4; i++) {
            int j = (i + 1) & 3;
            s += x(i) * y(j) - x(j) * y(i);
        }
        return Math.abs(s) / 2;
    }

    double perimeter() {
        return side(0, 1) + side(1, 2) + side(2, 3) + side(3, 0);
    }

    /** The same quad with each coordinate mapped by {@code f}. */
    Quad map(java.util.function.DoubleUnaryOperator fx, java.util.function.DoubleUnaryOperator fy) {
        double[] out = new double[8];
        for (int i = 0; i < 4; i++) {
            out[2 * i] = fx.applyAsDouble(x(i));
            out[2 * i + 1] = fy.applyAsDouble(y(i));
        }
        return new Quad(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quad q && Arrays.equals(xy, q.xy);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(xy);
    }

    @Override
    public String toString() {
        return "Quad" + Arrays.toString(xy);
    }
}
