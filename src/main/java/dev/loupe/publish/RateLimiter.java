package dev.loupe.publish;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts public executions in fixed windows (one per limit: a minute, an hour, a day), each
 * opened by the first request it counts. A request over any limit is refused without being
 * counted, with the seconds until that window closes ({@code Retry-After}).
 *
 * <p>Memory is bounded: at most {@value #MAX_COUNTERS} counters are kept, the least recently
 * used dropped first (a client address seen once an hour ago costs nothing forever).
 *
 * <p>Counts are this node's, on purpose: with several nodes sharing a catalog a client may get up
 * to one limit per node. Counting in the catalog would add a write to every public request; an
 * exact bound across nodes belongs to the load balancer in front of them.
 */
public final class RateLimiter {
    static final int MAX_COUNTERS = 20_000;

    private final LongSupplier nanos;
    private final Map<String, Counter> counters = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
            return size() > MAX_COUNTERS;
        }
    };

    public RateLimiter() {
        this(System::nanoTime);
    }

    RateLimiter(LongSupplier nanos) {
        this.nanos = nanos;
    }

    private static final class Counter {
        long openedAt;
        int count;
    }

    /** A refusal: which window is full and when it closes. */
    public record Refusal(RateLimit.Window window, long retryAfterSeconds) {
    }

    /**
     * Counts one request of {@code subject} in each window, or refuses it when one is full.
     *
     * @return the refusal, or empty when the request may run
     */
    public synchronized java.util.Optional<Refusal> acquire(String subject, List<RateLimit.Window> windows) {
        long now = nanos.getAsLong();
        Refusal refusal = null;
        for (RateLimit.Window w : windows) {
            Counter c = counters.computeIfAbsent(subject + "\n" + w.name(), k -> fresh(now));
            long length = w.length().toNanos();
            if (now - c.openedAt >= length) {
                c.openedAt = now;
                c.count = 0;
            }
            if (c.count >= w.limit()) {
                long seconds = Math.max(1, Math.ceilDiv(c.openedAt + length - now, 1_000_000_000L));
                if (refusal == null || seconds > refusal.retryAfterSeconds()) refusal = new Refusal(w, seconds);
            }
        }
        if (refusal != null) return java.util.Optional.of(refusal);
        for (RateLimit.Window w : windows) counters.get(subject + "\n" + w.name()).count++;
        return java.util.Optional.empty();
    }

    private static Counter fresh(long now) {
        Counter c = new Counter();
        c.openedAt = now;
        return c;
    }

    /** Forgets a subject's counters (an unpublished retriever), so a new publication starts afresh. */
    public synchronized void forget(String subjectPrefix) {
        counters.keySet().removeIf(k -> k.startsWith(subjectPrefix + "\n"));
    }

    synchronized int size() {
        return counters.size();
    }
}
