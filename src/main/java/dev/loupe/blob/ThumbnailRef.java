package dev.loupe.blob;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a document names its thumbnail: {@code /thumbnails/<sha256>.jpg}, a path relative to
 * the server that answers it with {@code GET}. Ingestion writes it, reads it back as an input
 * of downstream collections, and the HTTP layer serves and absolutises it; all three go
 * through this one spelling, strictly, so no other text is ever taken for a stored file.
 */
public record ThumbnailRef(String sha256) {
    public static final String PREFIX = "/thumbnails/";
    public static final String EXTENSION = "jpg";
    private static final Pattern FILE = Pattern.compile("([0-9a-f]{64})\\." + EXTENSION);

    public ThumbnailRef {
        if (!FILE.matcher(sha256 + "." + EXTENSION).matches()) throw new IllegalArgumentException("not a SHA-256 in hex: " + sha256);
    }

    /** A reference as documents hold it, or empty when the text is anything else. */
    public static Optional<ThumbnailRef> parse(String reference) {
        return reference.startsWith(PREFIX) ? ofFileName(reference.substring(PREFIX.length())) : Optional.empty();
    }

    /** The last segment of the path alone, as the thumbnail route receives it. */
    public static Optional<ThumbnailRef> ofFileName(String file) {
        Matcher m = FILE.matcher(file);
        return m.matches() ? Optional.of(new ThumbnailRef(m.group(1))) : Optional.empty();
    }

    public String path() {
        return PREFIX + sha256 + "." + EXTENSION;
    }
}
