package dev.loupe.blob;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A stored name, {@code ab/abcdef….<ext>}: the only way from text to a file or an object key.
 * Anything but a hex SHA-256 and a short lower-case extension is refused, so no text becomes
 * a path ({@code ../}) or a key outside the store's prefix.
 */
record BlobName(String sha256, String extension) {
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,8}");

    BlobName {
        if (sha256 == null || !NAME.matcher(sha256).matches() || extension == null || !EXTENSION.matcher(extension).matches()) {
            String shown = sha256 == null ? null : sha256.length() > 80 ? sha256.substring(0, 80) + "…" : sha256;
            throw new IllegalArgumentException("not a stored blob name: " + shown);
        }
    }

    /** A name taken from a URL: empty, not an error, when it is not one this store could have given. */
    static Optional<BlobName> ofUntrusted(String sha256, String extension) {
        if (sha256 == null || !NAME.matcher(sha256).matches()) return Optional.empty();
        return Optional.of(new BlobName(sha256, extension));
    }

    /** The relative path: a two-hex-digit fan-out directory, then the full name. */
    String relative() {
        return sha256.substring(0, 2) + "/" + sha256 + "." + extension;
    }
}
