package dev.loupe.provider;

import java.time.Duration;
import java.util.Objects;

/**
 * How calls to one provider are made: the same rules for the chat models and Vertex.
 *
 * @param connectTimeout  establishing the connection
 * @param timeout         the whole request, first byte sent to last byte received
 * @param concurrency     requests in flight to this provider at once (a semaphore; waiting callers queue)
 * @param maxAttempts     HTTP attempts per model turn, the first included; 429, 5xx, timeouts and I/O errors are retried
 * @param initialBackoff  the wait before the second attempt when the provider sends no {@code Retry-After}; it doubles
 *                        each attempt, and each wait is drawn between half and all of it (jitter)
 * @param maxBackoff      the longest such wait
 * @param maxRetryAfter   the longest {@code Retry-After} honoured; a longer one is cut to this
 */
public record CallPolicy(Duration connectTimeout, Duration timeout, int concurrency, int maxAttempts,
                         Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(120);
    static final int MAX_CONCURRENCY = 1024;
    static final int MAX_MAX_ATTEMPTS = 20;
    static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public static final CallPolicy DEFAULT = new CallPolicy(DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_CONCURRENCY,
            DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_RETRY_AFTER);

    public CallPolicy {
        positive(connectTimeout, "connect timeout");
        positive(timeout, "timeout");
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) throw new IllegalArgumentException("concurrency must be 1.." + MAX_CONCURRENCY + ", got: " + concurrency);
        if (maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) throw new IllegalArgumentException("max attempts must be 1.." + MAX_MAX_ATTEMPTS + ", got: " + maxAttempts);
        positive(initialBackoff, "initial backoff");
        positive(maxBackoff, "max backoff");
        positive(maxRetryAfter, "max Retry-After");
        if (maxBackoff.compareTo(initialBackoff) < 0) throw new IllegalArgumentException("max backoff is shorter than the initial backoff");
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(what + " must be more than 0 and at most " + MAX_TIMEOUT.toMinutes() + " minutes, got: " + d);
        }
    }

    public CallPolicy withTimeouts(Duration connectTimeout, Duration timeout) {
        return new CallPolicy(connectTimeout, timeout, concurrency, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter);
    }

    public CallPolicy withLimits(int concurrency, int maxAttempts) {
        return new CallPolicy(connectTimeout, timeout, concurrency, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter);
    }

    public CallPolicy withBackoff(Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
        return new CallPolicy(connectTimeout, timeout, concurrency, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter);
    }
}
