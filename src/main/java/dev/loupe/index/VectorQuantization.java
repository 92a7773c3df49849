package dev.loupe.index;

import java.util.Locale;

/**
 * How the nearest-neighbour graph holds vectors. Full-precision floats are always kept
 * on disk; quantization only changes what the graph search reads.
 */
public enum VectorQuantization {
    /** The graph scores float32 vectors: exact similarities, 4 bytes per dimension in memory. */
    NONE,
    /**
     * The graph scores 8-bit scalar-quantized vectors (a quarter of the memory), and the
     * best candidates are rescored with the float vectors, so reported scores stay exact.
     */
    INT8;

    public static VectorQuantization parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none", "float", "float32" -> NONE;
            case "int8" -> INT8;
            default -> throw new IllegalArgumentException("vector quantization must be none or int8, got: " + value);
        };
    }
}
