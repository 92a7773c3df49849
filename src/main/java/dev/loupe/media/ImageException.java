package dev.loupe.media;

/** An image that cannot be used: not an image, corrupt, or over a limit. */
public final class ImageException extends Exception {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
