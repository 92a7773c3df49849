package dev.loupe.inference;

/** A model that is not installed or cannot be loaded; the message says what to fetch and where. */
public class ModelUnavailableException extends RuntimeException {
    public ModelUnavailableException(String message) {
        super(message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
