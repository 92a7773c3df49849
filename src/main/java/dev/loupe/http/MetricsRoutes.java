package dev.loupe.http;

import dev.loupe.api.LoupeException;
import dev.loupe.metrics.Metrics;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /metrics} (a Loupe extension): Prometheus' text format. It needs the admin key as
 * a bearer token, which is what Prometheus sends with {@code authorization: {credentials: KEY}}
 * in a scrape config: the figures name every collection of every namespace, more than an
 * ordinary key may see.
 */
final class MetricsRoutes implements ApiServer.Routes {
    static final String PATH = "/metrics";

    private final Metrics metrics;
    private final Scopes scopes;

    MetricsRoutes(Metrics metrics, Scopes scopes) {
        this.metrics = metrics;
        this.scopes = scopes;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get(PATH, this::scrape);
    }

    private void scrape(Context ctx) {
        scopes.authenticate(ctx);
        if (!scopes.key(ctx).admin()) throw LoupeException.forbidden("only an admin API key may read " + PATH);
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }
}
