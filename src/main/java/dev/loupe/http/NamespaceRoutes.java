package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Namespace;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.regex.Pattern;

/** {@code /v1/namespaces}: create, list, get, delete. */
final class NamespaceRoutes implements ApiServer.Routes {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final Catalog catalog;
    private final Scopes scopes;

    NamespaceRoutes(Catalog catalog, Scopes scopes) {
        this.catalog = catalog;
        this.scopes = scopes;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/namespaces", this::create);
        r.post("/v1/namespaces/list", this::list);
        r.get("/v1/namespaces/{namespace}", this::get);
        r.patch("/v1/namespaces/{namespace}", this::patch);
        r.delete("/v1/namespaces/{namespace}", this::delete);
    }

    /** Creates the namespace requests fall back to when they name none. */
    static void ensureDefault(Catalog catalog) {
        if (catalog.find(Kind.NAMESPACE, null, Scopes.DEFAULT_NAMESPACE).isEmpty()) {
            String id = Kind.NAMESPACE.newId();
            String now = Ids.now();
            catalog.insert(Kind.NAMESPACE, id, null, null, Scopes.DEFAULT_NAMESPACE,
                    new Namespace(id, Scopes.DEFAULT_NAMESPACE, "used when a request names no namespace", Json.array(), now, now));
        }
    }

    private void create(Context ctx) {
        scopes.requireUnrestricted(ctx, "create namespaces");
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String name = body.requiredName("namespace_name");
        if (!NAME.matcher(name).matches()) {
            throw body.invalid("namespace_name", "may hold letters, digits, '_', '-' and '.', starting with a letter or digit");
        }
        ArrayNode extractors = Json.array();
        for (Body fe : body.objects("feature_extractors")) {
            fe.requiredString("feature_extractor_name");
            fe.requiredString("version");
            extractors.add(fe.node());
        }
        String id = Kind.NAMESPACE.newId();
        String now = Ids.now();
        Namespace created = new Namespace(id, name, body.optionalString("description").orElse(null), extractors, now, now);
        // The catalog's unique name index cannot see duplicates here: namespaces have no namespace (NULL), and NULLs differ.
        Namespace ns = catalog.database().inTransaction(c -> {
            if (catalog.find(c, Kind.NAMESPACE, null, name).isPresent()) throw LoupeException.conflict("a namespace named '" + name + "' already exists");
            return catalog.insert(c, Kind.NAMESPACE, id, null, null, name, created);
        });
        ApiServer.json(ctx, 200, Views.namespace(ns));
    }

    private void list(Context ctx) {
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = ListQuery.parse(body, Page.from(ctx), List.of("namespace_id", "namespace_name", "description"),
                java.util.Set.of("filters", "sort", "search"));
        var key = scopes.key(ctx);
        var result = CatalogListing.list(catalog, Kind.NAMESPACE, null, null, query, (Namespace ns) -> key.mayUse(ns.namespaceId()),
                nss -> nss.stream().map(Views::namespace).toList());
        ObjectNode out = result.response();
        out.put("total_count", result.total());
        ApiServer.json(ctx, 200, out);
    }

    private void patch(Context ctx) {
        scopes.requireUnrestricted(ctx, "change namespaces");
        Namespace ns = find(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        Patch patch = Patch.of(body, java.util.Set.of("namespace_name", "description"), java.util.Map.of(
                "namespace_id", "it is the namespace's identity",
                "feature_extractors", "collections were made with them",
                "payload_indexes", "Loupe indexes every document field for filtering already",
                "auto_create_indexes", "Loupe indexes every document field for filtering already"), Views.namespace(ns));
        String name = patch.name("namespace_name", ns.namespaceName());
        if (!NAME.matcher(name).matches()) {
            throw body.invalid("namespace_name", "may hold letters, digits, '_', '-' and '.', starting with a letter or digit");
        }
        if (ns.namespaceName().equals(Scopes.DEFAULT_NAMESPACE) && !name.equals(ns.namespaceName())) {
            throw body.invalid("namespace_name", "the default namespace, used when a request names none, cannot be renamed");
        }
        Namespace updated = new Namespace(ns.namespaceId(), name, patch.description(ns.description()), ns.featureExtractors(),
                ns.createdAt(), Ids.now());
        catalog.update(Kind.NAMESPACE, ns.namespaceId(), name, updated);
        ApiServer.json(ctx, 200, Views.namespace(updated));
    }

    private Namespace find(Context ctx) {
        String ref = ctx.pathParam("namespace");
        Namespace ns = catalog.require(Kind.NAMESPACE, null, ref);
        if (!scopes.key(ctx).mayUse(ns.namespaceId())) throw LoupeException.notFound("namespace", ref);
        return ns;
    }

    private void get(Context ctx) {
        ApiServer.json(ctx, 200, Views.namespace(find(ctx)));
    }

    private void delete(Context ctx) {
        scopes.requireUnrestricted(ctx, "delete namespaces");
        Namespace ns = find(ctx);
        if (catalog.count(Kind.BUCKET, ns.namespaceId(), null) > 0 || catalog.count(Kind.COLLECTION, ns.namespaceId(), null) > 0) {
            throw LoupeException.conflict("namespace '" + ns.namespaceName() + "' still holds buckets or collections; delete them first");
        }
        catalog.database().inTransaction(c -> catalog.delete(c, Kind.NAMESPACE, ns.namespaceId()));
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }
}
