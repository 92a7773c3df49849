package dev.loupe.publish;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A published retriever's {@code rate_limit_config}: how many executions its public key may make
 * per minute, hour and day (a tier's figures unless given), the most results one query may ask
 * for, and optionally a cap per client address and hour.
 *
 * @param perMinute null: the tier's figure (as the three below)
 */
public record RateLimit(boolean enabled, Tier tier, Integer perMinute, Integer perHour, Integer perDay,
                        int maxResultsPerQuery, boolean ipLimits, Integer perIpHour) {

    /** The bound on any one figure: a counter never has to hold more. */
    static final int MAX_RATE = 10_000_000;

    /** Mixpeek's tiers, with the figures its {@code RateLimitTier} documents (per minute, hour, day). */
    public enum Tier {
        STANDARD(10, 100, 1_000), ELEVATED(30, 500, 5_000), ENTERPRISE(100, 2_000, 20_000), UNLIMITED(0, 0, 0);

        final int minute;
        final int hour;
        final int day;

        Tier(int minute, int hour, int day) {
            this.minute = minute;
            this.hour = hour;
            this.day = day;
        }
    }

    public RateLimit {
        if (maxResultsPerQuery < 1 || maxResultsPerQuery > 1000) {
            throw new IllegalArgumentException("max_results_per_query must be 1-1000, got " + maxResultsPerQuery);
        }
    }

    public static final RateLimit DEFAULT = new RateLimit(true, Tier.STANDARD, null, null, null, 100, false, null);

    /** One counting window: at most {@code limit} requests per {@code length}. */
    public record Window(String name, Duration length, int limit) {
    }

    /** The windows the public key's requests are counted in; none when limiting is off or unlimited. */
    public List<Window> keyWindows() {
        List<Window> out = new ArrayList<>();
        if (!enabled) return out;
        int minute = perMinute != null ? perMinute : tier.minute;
        int hour = perHour != null ? perHour : tier.hour;
        int day = perDay != null ? perDay : tier.day;
        // UNLIMITED's figures are 0 (none), though explicit figures still apply.
        if (minute > 0) out.add(new Window("minute", Duration.ofMinutes(1), minute));
        if (hour > 0) out.add(new Window("hour", Duration.ofHours(1), hour));
        if (day > 0) out.add(new Window("day", Duration.ofDays(1), day));
        return out;
    }

    /** The window each client address is counted in, when {@code enable_ip_limits} asks for one. */
    public List<Window> addressWindows() {
        if (!enabled || !ipLimits || perIpHour == null) return List.of();
        return List.of(new Window("hour per client address", Duration.ofHours(1), perIpHour));
    }

    /** Reads a request's {@code rate_limit_config}; absent fields keep {@code base}'s values. */
    public static RateLimit parse(Body b, RateLimit base) {
        if (!b.node().isObject()) throw dev.loupe.api.LoupeException.invalid(b.path(), "must be a JSON object, got " + Body.kind(b.node()));
        b.onlyFields(FIELDS, "rate_limit_config");
        Tier tier = b.choice("tier", base.tier);
        return new RateLimit(b.optionalBoolean("enabled").orElse(base.enabled), tier,
                rate(b, "requests_per_minute", base.perMinute), rate(b, "requests_per_hour", base.perHour),
                rate(b, "requests_per_day", base.perDay),
                b.optionalInt("max_results_per_query", 1, 1000).orElse(base.maxResultsPerQuery),
                b.optionalBoolean("enable_ip_limits").orElse(base.ipLimits), rate(b, "max_requests_per_ip_hour", base.perIpHour));
    }

    private static final List<String> FIELDS = List.of("enabled", "tier", "requests_per_minute", "requests_per_hour", "requests_per_day",
            "max_results_per_query", "enable_ip_limits", "max_requests_per_ip_hour");

    private static Integer rate(Body b, String field, Integer fallback) {
        if (b.node().has(field) && b.node().get(field).isNull()) return null;
        return b.optionalInt(field, 1, MAX_RATE).orElse(fallback);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("enabled", enabled);
        n.put("tier", Body.wireName(tier));
        put(n, "requests_per_minute", perMinute);
        put(n, "requests_per_hour", perHour);
        put(n, "requests_per_day", perDay);
        n.put("max_results_per_query", maxResultsPerQuery);
        n.put("enable_ip_limits", ipLimits);
        put(n, "max_requests_per_ip_hour", perIpHour);
        return n;
    }

    private static void put(ObjectNode n, String field, Integer value) {
        if (value == null) n.putNull(field);
        else n.put(field, value);
    }

    /** Reads what {@link #toJson} stored. */
    static RateLimit fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return parse(Body.of(n, "rate_limit_config"), DEFAULT);
    }
}
