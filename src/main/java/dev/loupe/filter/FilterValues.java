package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a filter value is coerced to the type of the document value it meets, the same
 * for the index and for in-memory matching: a number field compares with any value that
 * reads as a number ({@code "42"} and {@code 42} alike), a string field compares with the
 * value's text ({@code 42} as {@code "42"}), and a boolean field with {@code true},
 * {@code false}, {@code "true"} or {@code "false"}.
 */
public final class FilterValues {
    private static final Pattern NUMBER = Pattern.compile("-?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /**
     * The most characters of a string the index keeps as a keyword term (Lucene refuses terms
     * over 32,766 UTF-8 bytes): longer strings are indexed as their first characters, a
     * surrogate pair kept whole, and compared in memory the same way ({@link #term}); a
     * filter string longer than this is refused, as no term could equal it.
     */
    public static final int MAX_TERM_CHARS = 8000;

    private FilterValues() {}

    /** A string as the index holds it as a term: its first {@link #MAX_TERM_CHARS} characters, without splitting a surrogate pair. */
    public static String term(String s) {
        if (s.length() <= MAX_TERM_CHARS) return s;
        int end = Character.isHighSurrogate(s.charAt(MAX_TERM_CHARS - 1)) ? MAX_TERM_CHARS - 1 : MAX_TERM_CHARS;
        return s.substring(0, end);
    }

    /** The value as a number, when it is one or is a string that reads as one. */
    public static Optional<Double> asNumber(JsonNode v) {
        if (v.isNumber()) return Optional.of(v.asDouble());
        if (v.isTextual()) {
            String s = v.asText().strip();
            if (NUMBER.matcher(s).matches()) return Optional.of(Double.parseDouble(s));
        }
        return Optional.empty();
    }

    /** The value as the text a string field would hold: whole numbers without a decimal point. */
    public static String asText(JsonNode v) {
        if (v.isNumber()) {
            double d = v.asDouble();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
            return v.asText();
        }
        return v.asText();
    }

    /**
     * Strings in Unicode code point order, which is the index's order (UTF-8 bytes), not
     * {@link String#compareTo}'s UTF-16 order: they differ above U+FFFF.
     */
    public static int compareText(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
