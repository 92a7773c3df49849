package dev.loupe.api;

/**
 * Why Loupe refuses a request, in the domain's words: the catalog, the filters, the retrievers
 * and ingestion throw these, and only the HTTP layer decides which status and Mixpeek error type
 * each kind becomes. The family is closed so that mapping is an exhaustive switch.
 */
public abstract sealed class LoupeException extends RuntimeException {
    private LoupeException(String message) {
        super(message);
    }

    /** A body that is not JSON, or JSON beyond a parsing limit. */
    public static final class Malformed extends LoupeException {
        Malformed(String message) {
            super(message);
        }
    }

    /** A value that parsed but is wrong; {@code field} is its dotted path in the request. */
    public static final class Invalid extends LoupeException {
        private final String field;

        Invalid(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** A named resource that does not exist (or is not visible to the caller). */
    public static final class NotFound extends LoupeException {
        private final String resource;
        private final String identifier;

        NotFound(String resource, String identifier) {
            super(resource + " not found: " + identifier);
            this.resource = resource;
            this.identifier = identifier;
        }

        public String resource() {
            return resource;
        }

        public String identifier() {
            return identifier;
        }
    }

    /** A request that contradicts what is stored: a taken name, a batch already submitted. */
    public static final class Conflict extends LoupeException {
        Conflict(String message) {
            super(message);
        }
    }

    /** A payload over one of Loupe's bounds. */
    public static final class TooLarge extends LoupeException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** Something the request needs is missing on this server, such as a model offline. */
    public static final class Unavailable extends LoupeException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** No credentials, or credentials that name no key. */
    public static final class Unauthenticated extends LoupeException {
        Unauthenticated(String message) {
            super(message);
        }
    }

    /** A known key whose scope does not cover the request. */
    public static final class Forbidden extends LoupeException {
        Forbidden(String message) {
            super(message);
        }
    }

    /** Too many requests for a limit; the window frees in {@code retryAfterSeconds}. */
    public static final class RateLimited extends LoupeException {
        private final long retryAfterSeconds;

        RateLimited(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    public static RateLimited rateLimited(String message, long retryAfterSeconds) {
        return new RateLimited(message, retryAfterSeconds);
    }

    public static Malformed malformed(String message) {
        return new Malformed(message);
    }

    public static Invalid invalid(String field, String message) {
        return new Invalid(field, message);
    }

    public static NotFound notFound(String resource, String identifier) {
        return new NotFound(resource, identifier);
    }

    public static Conflict conflict(String message) {
        return new Conflict(message);
    }

    public static TooLarge tooLarge(String message) {
        return new TooLarge(message);
    }

    public static Unavailable unavailable(String message) {
        return new Unavailable(message);
    }

    public static Unauthenticated unauthenticated(String message) {
        return new Unauthenticated(message);
    }

    public static Forbidden forbidden(String message) {
        return new Forbidden(message);
    }
}
