package dev.loupe.http;

import dev.loupe.api.LoupeException;
import dev.loupe.auth.ApiKey;
import dev.loupe.auth.ApiKeys;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Namespace;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * Authenticates requests ({@code Authorization: Bearer <key>}) and resolves the
 * namespace they act in ({@code X-Namespace}, or {@code ?namespace=}, by id or name;
 * {@value #DEFAULT_NAMESPACE} when neither is given).
 */
final class Scopes {
    static final String DEFAULT_NAMESPACE = "default";
    private static final String KEY_ATTRIBUTE = "loupe.key";

    private final Catalog catalog;
    private final ApiKeys keys;

    Scopes(Catalog catalog, ApiKeys keys) {
        this.catalog = catalog;
        this.keys = keys;
    }

    /** Before-handler for {@code /v1/*}: no valid key, no access. */
    void authenticate(Context ctx) {
        if (ctx.path().equals(HealthRoutes.PATH)) return; // Mixpeek's health check needs no key
        if (ctx.path().startsWith(PublicRoutes.PREFIX)) return; // a published retriever's public key, checked by PublicRoutes
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) throw LoupeException.unauthenticated("missing Authorization header; send 'Authorization: Bearer <api key>'");
        String[] parts = header.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer")) {
            throw LoupeException.unauthenticated("Authorization header must be 'Bearer <api key>'");
        }
        ApiKey key = keys.authenticate(parts[1].trim()).orElseThrow(() -> LoupeException.unauthenticated("invalid or revoked API key"));
        ctx.attribute(KEY_ATTRIBUTE, key);
    }

    ApiKey key(Context ctx) {
        ApiKey key = ctx.attribute(KEY_ATTRIBUTE);
        if (key == null) throw LoupeException.unauthenticated("not authenticated");
        return key;
    }

    /** The namespace the request names, by header or query parameter, if any. */
    static java.util.Optional<String> requested(Context ctx) {
        String requested = ctx.header("X-Namespace");
        if (requested == null || requested.isBlank()) requested = ctx.queryParam("namespace");
        return requested == null || requested.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(requested);
    }

    /** The caller's namespace, which its key must be allowed to use. */
    Scope of(Context ctx) {
        ApiKey key = key(ctx);
        String requested = requested(ctx).orElse(DEFAULT_NAMESPACE);
        String wanted = requested.trim();
        Namespace ns = catalog.find(Kind.NAMESPACE, null, wanted).orElseThrow(() -> LoupeException.notFound("namespace", wanted));
        if (!key.mayUse(ns.namespaceId())) {
            throw LoupeException.forbidden("this API key may not use namespace '" + wanted + "'");
        }
        return new Scope(key, ns);
    }

    /** Keys limited to namespaces may not manage namespaces or keys. */
    void requireUnrestricted(Context ctx, String action) {
        if (!key(ctx).namespaces().isEmpty()) throw LoupeException.forbidden("an API key limited to namespaces may not " + action);
    }

    void requireAdmin(Context ctx) {
        if (!key(ctx).admin()) throw LoupeException.forbidden("only an admin API key may manage API keys");
    }
}
