package dev.loupe.http;

import dev.loupe.metrics.Metrics;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per request, {@code GET /v1/collections/{collection} 200 3.1 ms ns=shop}, and its
 * latency in {@link Metrics}. The route is the matched path pattern, never the raw path (which
 * may carry a signed upload's query or a name the caller typed); nothing from the headers but
 * the namespace, so no key, and no body. Health checks and metric scrapes, which come every
 * few seconds, are logged at {@code FINE} only.
 */
final class RequestLog {
    static final Logger LOG = Logger.getLogger("dev.loupe.http.requests");
    /** What the route reads when no route matched (a 404 for an unknown path): bounded, unlike raw paths. */
    static final String NO_ROUTE = "(no route)";
    private static final int MAX_NAMESPACE_CHARS = 64;

    private final Metrics metrics;

    RequestLog(Metrics metrics) {
        this.metrics = metrics;
    }

    void record(Context ctx, float millis) {
        String route = route(ctx);
        String method = ctx.method().name();
        int status = ctx.statusCode();
        metrics.request(method, route, status, (long) (millis * 1_000_000L));
        Level level = route.equals("/health") || route.equals(HealthRoutes.PATH) || route.equals(MetricsRoutes.PATH) ? Level.FINE : Level.INFO;
        if (!LOG.isLoggable(level)) return;
        String ns = Scopes.requested(ctx).map(RequestLog::printable).orElse("-");
        LOG.log(level, String.format(Locale.ROOT, "%s %s %d %.1f ms ns=%s", method, route, status, millis, ns));
    }

    private static String route(Context ctx) {
        Endpoint matched;
        try {
            matched = ctx.endpoints().matchedHttpEndpoint();
        } catch (RuntimeException e) {
            matched = null;
        }
        return matched == null ? NO_ROUTE : matched.path;
    }

    /** The namespace as the caller wrote it, cut short and without control characters: a log line is not theirs to forge. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < MAX_NAMESPACE_CHARS; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.isWhitespace(c) ? '?' : c);
        }
        return s.length() > MAX_NAMESPACE_CHARS ? b + "…" : b.toString();
    }
}
