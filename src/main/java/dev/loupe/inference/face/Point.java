package dev.loupe.inference.face;

/** A position in an image's pixels (x right, y down; pixel centres at integer coordinates, as OpenCV counts). */
public record Point(float x, float y) {
}
