package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v1/buckets}: create, list, get, delete. */
final class BucketRoutes implements ApiServer.Routes {
    /** Mixpeek's field types, plus {@code url} which its tutorials use. */
    static final Set<String> FIELD_TYPES = Set.of("string", "number", "integer", "float", "boolean", "object", "array",
            "date", "datetime", "text", "image", "audio", "video", "pdf", "excel", "url", "json");

    private final Catalog catalog;
    private final Scopes scopes;

    BucketRoutes(Catalog catalog, Scopes scopes) {
        this.catalog = catalog;
        this.scopes = scopes;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/buckets", this::create);
        r.post("/v1/buckets/list", this::list);
        r.get("/v1/buckets/{bucket}", this::get);
        r.patch("/v1/buckets/{bucket}", this::patch);
        r.delete("/v1/buckets/{bucket}", this::delete);
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String name = body.requiredName("bucket_name");
        String schemaField = body.has("bucket_schema") ? "bucket_schema" : "schema";
        ObjectNode schema = body.has(schemaField) ? body.requiredObject(schemaField).node().deepCopy() : Json.object();
        checkSchema(schema, schemaField);
        String id = Kind.BUCKET.newId();
        String now = Ids.now();
        Bucket bucket = catalog.insert(Kind.BUCKET, id, scope.namespaceId(), null, name, new Bucket(id, scope.namespaceId(), name,
                body.optionalString("description").orElse(null), schema, body.objectOrEmpty("metadata"), now, now));
        ApiServer.json(ctx, 200, Views.bucket(bucket, 0));
    }

    private static void checkSchema(ObjectNode schema, String path) {
        if (!schema.has("properties")) schema.putObject("properties");
        JsonNode props = schema.get("properties");
        if (!props.isObject()) throw LoupeException.invalid(path + ".properties", "must be an object of field definitions");
        for (Map.Entry<String, JsonNode> e : props.properties()) {
            String at = path + ".properties." + e.getKey();
            if (!e.getValue().isObject()) throw LoupeException.invalid(at, "must be an object with a 'type'");
            JsonNode type = e.getValue().get("type");
            if (type == null || !type.isTextual()) throw LoupeException.invalid(at + ".type", "is required");
            if (!FIELD_TYPES.contains(type.asText())) {
                throw LoupeException.invalid(at + ".type", "unknown type '" + type.asText() + "'; expected one of " + FIELD_TYPES);
            }
        }
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = ListQuery.parse(body, Page.from(ctx, body), SEARCHED, LIST_FIELDS);
        var result = CatalogListing.list(catalog, Kind.BUCKET, scope.namespaceId(), null, query, null,
                buckets -> buckets.stream().map(b -> Views.bucket(b, catalog.count(Kind.OBJECT, scope.namespaceId(), b.bucketId()))).toList());
        ObjectNode out = result.response();
        out.put("total_count", result.total());
        ApiServer.json(ctx, 200, out);
    }

    private static final java.util.List<String> SEARCHED = java.util.List.of("bucket_id", "bucket_name", "description", "metadata");
    private static final Set<String> LIST_FIELDS = Set.of("filters", "sort", "search");

    private void patch(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket b = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Body body = Body.of(Json.parseRequest(ctx.body()));
        Patch patch = Patch.of(body, Set.of("bucket_name", "description", "metadata"), Map.of(
                "bucket_id", "it is the bucket's identity",
                "bucket_schema", "objects and collections were made against it; create a new bucket for a new schema",
                "schema", "objects and collections were made against it; create a new bucket for a new schema"), Views.bucket(b, 0));
        Bucket updated = new Bucket(b.bucketId(), b.namespaceId(), patch.name("bucket_name", b.bucketName()),
                patch.description(b.description()), b.bucketSchema(), patch.metadata(b.metadata()), b.createdAt(), Ids.now());
        catalog.update(Kind.BUCKET, b.bucketId(), updated.bucketName(), updated);
        ApiServer.json(ctx, 200, Views.bucket(updated, catalog.count(Kind.OBJECT, scope.namespaceId(), b.bucketId())));
    }

    private void get(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket b = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        ApiServer.json(ctx, 200, Views.bucket(b, catalog.count(Kind.OBJECT, scope.namespaceId(), b.bucketId())));
    }

    private void delete(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket b = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        for (Collection c : catalog.list(Kind.COLLECTION, scope.namespaceId(), null, Integer.MAX_VALUE, 0)) {
            if (c.source().readsBucket(b.bucketId())) {
                throw LoupeException.conflict("bucket '" + b.bucketName() + "' feeds collection '" + c.collectionName() + "'; delete it first");
            }
        }
        catalog.database().inTransaction(c -> {
            for (var o : catalog.list(c, Kind.OBJECT, scope.namespaceId(), b.bucketId(), Integer.MAX_VALUE, 0)) {
                catalog.delete(c, Kind.OBJECT, o.objectId());
            }
            return catalog.delete(c, Kind.BUCKET, b.bucketId());
        });
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }
}
