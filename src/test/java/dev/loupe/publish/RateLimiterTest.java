package dev.loupe.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final RateLimiter limiter = new RateLimiter(clock::get);
    private static final List<RateLimit.Window> TWO_A_MINUTE_FIVE_AN_HOUR = List.of(
            new RateLimit.Window("minute", Duration.ofMinutes(1), 2), new RateLimit.Window("hour", Duration.ofHours(1), 5));

    @Test
    void aFullWindowRefusesUntilItClosesAndSaysWhen() {
        assertTrue(limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).isEmpty());
        clock.addAndGet(10 * SECOND);
        assertTrue(limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).isEmpty());
        var refused = limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).orElseThrow();
        assertEquals("minute", refused.window().name());
        assertEquals(50, refused.retryAfterSeconds(), "the minute opened 10 s ago closes in 50 s");
        clock.addAndGet(SECOND / 2);
        assertEquals(50, limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).orElseThrow().retryAfterSeconds(), "49.5 s, rounded up");
        clock.addAndGet(-SECOND / 2);
        clock.addAndGet(50 * SECOND);
        assertTrue(limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).isEmpty(), "a new minute");
        assertTrue(limiter.acquire("other", TWO_A_MINUTE_FIVE_AN_HOUR).isEmpty(), "each subject has its own count");
    }

    @Test
    void refusedRequestsAreNotCountedAndTheLongestWaitIsTheOneReported() {
        for (int minute = 0; minute < 3; minute++) {
            assertTrue(limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).isEmpty());
            assertTrue(limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).isEmpty() == (minute < 2), "minute " + minute);
            for (int i = 0; i < 10; i++) assertTrue(limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).isPresent());
            clock.addAndGet(60 * SECOND);
        }
        // 5 counted in the hour (2 + 2 + 1): refused by the hour now, not by the minute.
        var refused = limiter.acquire("k", TWO_A_MINUTE_FIVE_AN_HOUR).orElseThrow();
        assertEquals("hour", refused.window().name());
        assertEquals(3600 - 180, refused.retryAfterSeconds());
    }

    @Test
    void countersAreBoundedDroppingTheLeastRecentlyUsed() {
        List<RateLimit.Window> one = List.of(new RateLimit.Window("minute", Duration.ofMinutes(1), 1));
        assertTrue(limiter.acquire("kept", one).isEmpty());
        for (int i = 0; i < RateLimiter.MAX_COUNTERS + 10; i++) {
            limiter.acquire("address-" + i, one);
            if (i % 1000 == 0) limiter.acquire("kept", one); // used, so kept
        }
        assertEquals(RateLimiter.MAX_COUNTERS, limiter.size());
        assertTrue(limiter.acquire("kept", one).isPresent(), "a recently used counter survives, still full");
    }

    @Test
    void tiersGiveMixpeeksFiguresAndExplicitOnesOverrideThem() {
        assertEquals(List.of(10, 100, 1000), RateLimit.DEFAULT.keyWindows().stream().map(RateLimit.Window::limit).toList());
        RateLimit unlimited = new RateLimit(true, RateLimit.Tier.UNLIMITED, null, null, null, 100, false, null);
        assertTrue(unlimited.keyWindows().isEmpty());
        RateLimit mixed = new RateLimit(true, RateLimit.Tier.UNLIMITED, 7, null, null, 100, true, 50);
        assertEquals(List.of(7), mixed.keyWindows().stream().map(RateLimit.Window::limit).toList());
        assertEquals(List.of(50), mixed.addressWindows().stream().map(RateLimit.Window::limit).toList());
        assertTrue(new RateLimit(false, RateLimit.Tier.STANDARD, 7, null, null, 100, true, 50).keyWindows().isEmpty(), "disabled");
    }
}
