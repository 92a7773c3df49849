package dev.loupe.provider;

/**
 * A model call that failed: the provider refused it, kept failing past the attempts allowed,
 * or its reply stayed invalid after the follow-up turn. The message says which provider, the
 * HTTP status (when one came back) and the reason, with the API key masked wherever the
 * provider echoed it.
 */
public final class ProviderException extends RuntimeException {
    private final String provider;
    private final int status;
    private final String reason;
    private final boolean transientFailure;

    ProviderException(String provider, int status, String reason, boolean transientFailure) {
        super(provider + (status > 0 ? " answered HTTP " + status : "") + ": " + reason);
        this.provider = provider;
        this.status = status;
        this.reason = reason;
        this.transientFailure = transientFailure;
    }

    ProviderException(String provider, String reason) {
        this(provider, 0, reason, false);
    }

    /** The model as {@link VisionModel#describe()} names it, or the Vertex endpoint's description. */
    public String provider() {
        return provider;
    }

    /** The last HTTP status seen; 0 when none came back (timeouts, broken connections, invalid replies). */
    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /**
     * Whether the failure was the provider being overloaded or unreachable (429, 5xx, timeouts,
     * I/O) after every attempt: the same call may succeed later, unlike a 4xx or an invalid reply.
     */
    public boolean transientFailure() {
        return transientFailure;
    }
}
