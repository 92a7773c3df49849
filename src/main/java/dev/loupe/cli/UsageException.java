package dev.loupe.cli;

/** The command line itself is wrong (an unknown flag, a missing argument): exit code 2, with the command's usage. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
