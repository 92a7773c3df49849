package dev.loupe.blob;

import java.io.IOException;

/** A fetch ran past one of its bounds; the message names the bound, the fetcher adds the URL. */
final class FetchLimitException extends IOException {
    FetchLimitException(String message) {
        super(message);
    }
}
