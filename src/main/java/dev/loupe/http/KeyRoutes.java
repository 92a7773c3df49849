package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.auth.ApiKey;
import dev.loupe.auth.ApiKeys;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Namespace;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v1/api-keys}: admin keys create, list and revoke keys. A key may be limited
 * to namespaces (by id or name) and then sees nothing outside them.
 */
final class KeyRoutes implements ApiServer.Routes {
    private final ApiKeys keys;
    private final Catalog catalog;
    private final Scopes scopes;

    KeyRoutes(ApiKeys keys, Catalog catalog, Scopes scopes) {
        this.keys = keys;
        this.catalog = catalog;
        this.scopes = scopes;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/api-keys", this::create);
        r.get("/v1/api-keys", this::list);
        r.delete("/v1/api-keys/{key}", this::revoke);
    }

    private void create(Context ctx) {
        scopes.requireAdmin(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String name = body.requiredName("name");
        List<String> namespaces = new ArrayList<>();
        for (String ref : body.strings("namespaces")) {
            Namespace ns = catalog.find(Kind.NAMESPACE, null, ref).orElseThrow(() -> body.invalid("namespaces", "namespace not found: " + ref));
            namespaces.add(ns.namespaceId());
        }
        boolean admin = body.optionalBoolean("admin").orElse(false);
        if (admin && !namespaces.isEmpty()) throw body.invalid("admin", "an admin key cannot be limited to namespaces");
        ApiKey.Created created = keys.create(name, admin, namespaces);
        ObjectNode out = created.key().view();
        out.put("key", created.secret());
        ApiServer.json(ctx, 200, out);
    }

    private void list(Context ctx) {
        scopes.requireAdmin(ctx);
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (ApiKey k : keys.list()) results.add(k.view());
        ApiServer.json(ctx, 200, out);
    }

    private void revoke(Context ctx) {
        scopes.requireAdmin(ctx);
        String ref = ctx.pathParam("key");
        if (!keys.revoke(ref)) throw LoupeException.notFound("api key", ref);
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully revoked"));
    }
}
