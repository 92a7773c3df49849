package dev.loupe.blob;

/** A blob could not be obtained; the message says why, for the object's error record. */
public final class BlobException extends Exception {
    public BlobException(String message) {
        super(message);
    }

    public BlobException(String message, Throwable cause) {
        super(message, cause);
    }
}
