package dev.loupe.upload;

/**
 * Where an upload stands. {@code RECEIVING} is held while its one PUT streams in, so a second
 * PUT finds it taken; {@code UPLOADED} has the bytes and waits for confirmation. An upload
 * whose URL expired before any bytes arrived is reported {@link #EXPIRED} without being
 * rewritten ({@link Upload#statusAt}).
 */
public enum UploadStatus {
    PENDING, RECEIVING, UPLOADED, COMPLETED, FAILED, CANCELED, EXPIRED;

    /** Mixpeek's TaskStatusEnum for it: bytes in flight or waiting for confirmation are IN_PROGRESS, an expired URL FAILED. */
    public String wire() {
        return switch (this) {
            case PENDING -> "PENDING";
            case RECEIVING, UPLOADED -> "IN_PROGRESS";
            case COMPLETED -> "COMPLETED";
            case FAILED, EXPIRED -> "FAILED";
            case CANCELED -> "CANCELED";
        };
    }
}
