package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The waits between attempts, computed for a fixed instant and fixed draws of the jitter. */
class TransportDelayTest {
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final CallPolicy POLICY = CallPolicy.DEFAULT.withBackoff(Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60));

    @Test
    void readsRetryAfterInSeconds() {
        assertEquals(Duration.ofSeconds(7), Transport.delay(1, Optional.of("7"), NOW, POLICY, 0.3));
    }

    @Test
    void readsRetryAfterAsAnHttpDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(12).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(12), Transport.delay(1, Optional.of(date), NOW, POLICY, 0.3));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(5).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ZERO, Transport.delay(1, Optional.of(past), NOW, POLICY, 0.3));
    }

    @Test
    void capsALongRetryAfter() {
        assertEquals(Duration.ofSeconds(60), Transport.delay(1, Optional.of("86400"), NOW, POLICY, 0.3));
    }

    @Test
    void backsOffExponentiallyWithJitterWhenThereIsNoUsableRetryAfter() {
        assertEquals(Duration.ofMillis(250), Transport.delay(1, Optional.empty(), NOW, POLICY, 0.0));
        assertEquals(Duration.ofMillis(500), Transport.delay(1, Optional.of("soon"), NOW, POLICY, 1.0));
        assertEquals(Duration.ofMillis(1000), Transport.delay(2, Optional.empty(), NOW, POLICY, 1.0));
        assertEquals(Duration.ofMillis(1500), Transport.delay(3, Optional.empty(), NOW, POLICY, 0.5));
        assertEquals(Duration.ofSeconds(8), Transport.delay(10, Optional.empty(), NOW, POLICY, 1.0), "capped at the max backoff");
        assertEquals(Duration.ofSeconds(8), Transport.delay(40, Optional.empty(), NOW, POLICY, 1.0), "no overflow");
        for (double r = 0; r <= 1.0; r += 0.125) {
            Duration d = Transport.delay(4, Optional.empty(), NOW, POLICY, r);
            assertTrue(d.toMillis() >= 2000 && d.toMillis() <= 4000, d.toString());
        }
    }
}
