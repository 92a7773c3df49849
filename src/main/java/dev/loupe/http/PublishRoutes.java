package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.RetrieverDefinition;
import dev.loupe.document.FieldPath;
import dev.loupe.publish.Publication;
import dev.loupe.publish.Publications;
import dev.loupe.publish.RateLimit;
import dev.loupe.publish.RateLimiter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Publishing a retriever (Mixpeek's {@code /v1/retrievers/{id}/publish} family, with the caller's
 * API key): the publication gets a public name and a public key that {@link PublicRoutes} accepts
 * for that one retriever, from any web page.
 *
 * <pre>
 * curl -H "Authorization: Bearer $KEY" -d '{"public_name": "shop-search"}' http://localhost:8080/v1/retrievers/image-search/publish
 * # {"public_id": "pub_…", "retriever_id": "ret_…", "public_url": "http://…/v1/public/retrievers/shop-search",
 * #  "short_url": "…", "public_api_key": "ret_sk_…"}   (the key is shown this once)
 * </pre>
 */
final class PublishRoutes implements ApiServer.Routes {
    /** Mixpeek's {@code public_name}: 3–50 characters, lowercase letters, digits and inner hyphens. */
    private static final Pattern PUBLIC_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,48}[a-z0-9]");
    /** A publish or update request's bound: the icon (300,000 characters) and a display configuration. */
    static final int MAX_REQUEST_CHARS = 1 << 20;
    private static final int MAX_DISPLAY_CONFIG_CHARS = 200_000;
    private static final int MAX_EXPOSED_FIELDS = 100;
    private static final int MAX_FIELD_MAPPINGS = 50;
    private static final int MAX_TAGS = 50;

    private static final Set<String> PUBLISH_FIELDS = Set.of("public_name", "description", "icon_base64", "display_config",
            "rate_limit_config", "password_secret_name", "include_metadata", "tags", "category");
    private static final Set<String> UPDATE_FIELDS = Set.of("display_config", "rate_limit_config", "password_secret_name",
            "is_active", "tags", "category");

    private final Catalog catalog;
    private final Scopes scopes;
    private final Publications publications;
    /** The public keys' counters, forgotten when a retriever is unpublished. */
    private final RateLimiter limiter;
    private final Views views;

    PublishRoutes(Catalog catalog, Scopes scopes, Publications publications, RateLimiter limiter, Views views) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.publications = publications;
        this.limiter = limiter;
        this.views = views;
    }

    @Override
    public void register(RoutesConfig r) {
        // Before RetrieverRoutes' /v1/retrievers/{retriever}, which would take "published" for a retriever's name.
        r.get("/v1/retrievers/published", this::list);
        r.post("/v1/retrievers/{retriever}/publish", this::publish);
        r.get("/v1/retrievers/{retriever}/publish", this::get);
        r.patch("/v1/retrievers/{retriever}/publish", this::update);
        r.delete("/v1/retrievers/{retriever}/publish", this::unpublish);
        r.get("/v1/retrievers/{retriever}/publish/availability", this::availability);
    }

    private void publish(Context ctx) {
        Scope scope = scopes.of(ctx);
        RetrieverDefinition r = catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        Body body = request(ctx, PUBLISH_FIELDS);
        String name = publicName(body.requiredString("public_name"), "public_name");
        noPassword(body);
        String description = bounded(body, "description", 500);
        String icon = bounded(body, "icon_base64", 300_000);
        ObjectNode display = body.has("display_config") ? displayConfig(body.requiredObject("display_config")) : defaultDisplay(r);
        RateLimit limit = body.optionalObject("rate_limit_config").map(b -> RateLimit.parse(b, RateLimit.DEFAULT)).orElse(RateLimit.DEFAULT);
        JsonNode metadata = body.optionalBoolean("include_metadata").orElse(true) ? metadata(r, scope) : null;
        Publication.Created created = publications.publish(r.retrieverId(), scope.namespaceId(), name, new Publications.Settings(
                description, icon, display, limit, metadata, tags(body), bounded(body, "category", 50)));
        ObjectNode out = Json.object();
        out.put("public_id", created.publication().publicId());
        out.put("retriever_id", r.retrieverId());
        out.put("public_url", publicUrl(ctx, name));
        out.put("short_url", publicUrl(ctx, name));
        out.put("public_api_key", created.secret());
        ApiServer.json(ctx, 200, out);
    }

    private void get(Context ctx) {
        ApiServer.json(ctx, 200, view(published(ctx)));
    }

    private void update(Context ctx) {
        Publication p = published(ctx);
        Body body = request(ctx, UPDATE_FIELDS);
        if (body.optionalString("password_secret_name").filter(s -> !s.isEmpty()).isPresent()) noPassword(body);
        ObjectNode display = body.has("display_config") ? displayConfig(body.requiredObject("display_config")) : p.displayConfig();
        RateLimit limit = body.optionalObject("rate_limit_config").map(b -> RateLimit.parse(b, p.rateLimit())).orElse(p.rateLimit());
        List<String> tags = body.has("tags") ? tags(body) : p.tags();
        String category = body.has("category") ? bounded(body, "category", 50) : p.category();
        Publication updated = publications.update(new Publication(p.publicId(), p.retrieverId(), p.namespaceId(), p.publicName(),
                p.keyPrefix(), body.optionalBoolean("is_active").orElse(p.active()), p.description(), p.iconBase64(), display, limit,
                p.retrieverMetadata(), tags, category, p.createdAt(), p.updatedAt()));
        ApiServer.json(ctx, 200, view(updated));
    }

    private void unpublish(Context ctx) {
        Publication p = published(ctx);
        if (!publications.unpublish(p.retrieverId())) throw LoupeException.notFound("published retriever", p.retrieverId());
        limiter.forget(p.publicId());
        ApiServer.json(ctx, 200, Json.object().put("message", "Successfully deleted").put("success", true));
    }

    private void availability(Context ctx) {
        Scope scope = scopes.of(ctx);
        catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        String name = ctx.queryParam("name");
        if (name == null || name.isBlank()) throw LoupeException.invalid("name", "is required (?name=...)");
        publicName(name, "name");
        ApiServer.json(ctx, 200, Json.object().put("name", name).put("available", publications.byName(name).isEmpty()));
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Page page = Page.from(ctx);
        Publications.Listing listing = publications.list(scope.namespaceId(), page.offset(), page.limit());
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (Publication p : listing.page()) {
            ObjectNode v = view(p);
            v.put("public_url", publicUrl(ctx, p.publicName()));
            results.add(v);
        }
        out.put("total", listing.total());
        out.set("pagination", page.response(listing.total()));
        ApiServer.json(ctx, 200, out);
    }

    /** The caller's retriever's publication, a 404 when the retriever is not published. */
    private Publication published(Context ctx) {
        Scope scope = scopes.of(ctx);
        RetrieverDefinition r = catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        return publications.ofRetriever(r.retrieverId()).orElseThrow(() -> LoupeException.notFound("published retriever", r.retrieverId()));
    }

    private static Body request(Context ctx, Set<String> fields) {
        String raw = ctx.body();
        if (raw.length() > MAX_REQUEST_CHARS) throw LoupeException.tooLarge("a publication request may be at most " + MAX_REQUEST_CHARS + " characters");
        Body body = Body.of(raw.isBlank() ? Json.object() : Json.parseRequest(raw));
        if (!body.node().isObject()) throw LoupeException.invalid("body", "must be a JSON object");
        body.onlyFields(fields, "this request");
        return body;
    }

    private static String publicName(String name, String field) {
        if (!PUBLIC_NAME.matcher(name).matches()) {
            throw LoupeException.invalid(field, "must be 3-50 lowercase letters, digits and hyphens, starting and ending with a letter or digit, got '"
                    + (name.length() > 60 ? name.substring(0, 60) + "…" : name) + "'");
        }
        return name;
    }

    private static void noPassword(Body body) {
        if (body.has("password_secret_name")) {
            throw body.invalid("password_secret_name", "Loupe keeps no organization secrets, so a published retriever cannot be password-protected;"
                    + " its public key is what guards it");
        }
    }

    private static String bounded(Body body, String field, int max) {
        String s = body.optionalString(field).orElse(null);
        if (s != null && s.length() > max) throw body.invalid(field, "must be at most " + max + " characters, got " + s.length());
        return s;
    }

    private static List<String> tags(Body body) {
        List<String> tags = body.strings("tags");
        if (tags.size() > MAX_TAGS) throw body.invalid("tags", "may hold at most " + MAX_TAGS + " tags, got " + tags.size());
        for (int i = 0; i < tags.size(); i++) {
            if (tags.get(i).length() > 100) throw body.invalid("tags[" + i + "]", "must be at most 100 characters");
        }
        return tags;
    }

    /**
     * Checks a {@code display_config}: Mixpeek's required {@code title}, {@code inputs} and
     * {@code exposed_fields} (document field paths, the only fields public results carry), and
     * {@code field_mappings} (a widget slot such as {@code title} or {@code image_url}, to the
     * field path that fills it). Everything else is kept as given, for the page that renders it.
     */
    static ObjectNode displayConfig(Body d) {
        if (!d.node().isObject()) throw LoupeException.invalid(d.path(), "must be a JSON object");
        if (Json.write(d.node()).length() > MAX_DISPLAY_CONFIG_CHARS) {
            throw LoupeException.invalid(d.path(), "must be at most " + MAX_DISPLAY_CONFIG_CHARS + " characters of JSON");
        }
        d.requiredString("title");
        if (d.raw("inputs") == null) throw d.invalid("inputs", "is required");
        for (Body input : d.objects("inputs")) {
            if (!input.node().isObject()) throw LoupeException.invalid(input.path(), "must be an object");
            input.requiredString("field_name");
        }
        List<String> exposed = d.strings("exposed_fields");
        if (exposed.isEmpty()) throw d.invalid("exposed_fields", "must name at least one document field");
        if (exposed.size() > MAX_EXPOSED_FIELDS) throw d.invalid("exposed_fields", "may name at most " + MAX_EXPOSED_FIELDS + " fields");
        for (int i = 0; i < exposed.size(); i++) fieldPath(exposed.get(i), d.path() + ".exposed_fields[" + i + "]");
        if (d.raw("field_mappings") != null) {
            Body mappings = d.requiredObject("field_mappings");
            if (!mappings.node().isObject()) throw LoupeException.invalid(mappings.path(), "must be an object of slot: field path");
            if (mappings.node().size() > MAX_FIELD_MAPPINGS) throw LoupeException.invalid(mappings.path(), "may map at most " + MAX_FIELD_MAPPINGS + " slots");
            for (var it = mappings.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().length() > 100) throw mappings.invalid(e.getKey(), "a slot name may be at most 100 characters");
                fieldPath(mappings.requiredString(e.getKey()), mappings.path() + "." + e.getKey());
            }
        }
        return (ObjectNode) d.node().deepCopy();
    }

    private static void fieldPath(String path, String where) {
        try {
            FieldPath.parse(path);
        } catch (FieldPath.Invalid e) {
            throw LoupeException.invalid(where, e.getMessage());
        }
    }

    /**
     * The display a publication gets when none is given: the retriever's name, one text input per
     * input of its schema, results carrying their metadata and thumbnail (as the widget's {@code image_url}).
     */
    private static ObjectNode defaultDisplay(RetrieverDefinition r) {
        ObjectNode d = Json.object();
        d.put("title", r.retrieverName());
        if (r.description() != null) d.put("description", r.description());
        ArrayNode inputs = d.putArray("inputs");
        for (Map.Entry<String, JsonNode> e : r.inputSchema().properties()) {
            ObjectNode input = inputs.addObject();
            input.put("field_name", e.getKey());
            input.set("field_schema", e.getValue());
            input.put("input_type", e.getValue().path("type").asText().equals("image") ? "file" : "text");
            input.put("label", e.getKey());
            input.put("required", e.getValue().path("required").asBoolean(false));
            input.put("order", inputs.size() - 1);
        }
        d.putArray("exposed_fields").add("metadata").add("thumbnail_url");
        d.putObject("field_mappings").put("image_url", "thumbnail_url");
        return d;
    }

    /** Mixpeek's {@code retriever_metadata}: the pipeline's stages and collections, and what the public endpoint can do. */
    private JsonNode metadata(RetrieverDefinition r, Scope scope) {
        ObjectNode m = Json.object();
        ArrayNode stages = m.putArray("stages");
        for (JsonNode s : r.stages()) {
            stages.addObject().put("stage_name", s.path("stage_name").asText()).put("stage_id", s.path("config").path("stage_id").asText());
        }
        ArrayNode collections = m.putArray("collections");
        for (String id : r.collectionIds()) {
            ObjectNode c = collections.addObject().put("collection_id", id);
            catalog.find(Kind.COLLECTION, scope.namespaceId(), id).map(Collection::collectionName).ifPresent(n -> c.put("collection_name", n));
        }
        m.putObject("capabilities").put("streaming", true).put("stage_count", stages.size());
        return m;
    }

    private String publicUrl(Context ctx, String name) {
        return views.baseUrl(ctx) + PublicRoutes.PREFIX + "retrievers/" + name;
    }

    /** Mixpeek's {@code PublishedRetrieverResponse}; the public key is never shown again (only its hash is kept). */
    static ObjectNode view(Publication p) {
        ObjectNode n = Json.object();
        n.put("retriever_id", p.retrieverId());
        n.put("public_id", p.publicId());
        n.put("public_name", p.publicName());
        n.put("description", p.description());
        n.put("icon_base64", p.iconBase64());
        n.putNull("public_api_key");
        n.put("public_api_key_prefix", p.keyPrefix());
        n.set("display_config", p.displayConfig());
        n.set("rate_limit_config", p.rateLimit().toJson());
        n.put("password_protected", false);
        n.put("is_active", p.active());
        n.set("retriever_metadata", p.retrieverMetadata());
        n.set("tags", Json.tree(p.tags()));
        n.put("category", p.category());
        n.put("created_at", p.createdAt());
        n.put("updated_at", p.updatedAt());
        return n;
    }

}
