package dev.loupe.cli;

/** Why a command could not do what it was asked, in words for the person at the terminal; printed as one line. */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
