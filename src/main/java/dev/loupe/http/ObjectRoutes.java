package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.blob.BlobSource;
import dev.loupe.blob.BlobStore;
import dev.loupe.catalog.Blob;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.ingestion.Ingestion;
import dev.loupe.queue.WorkQueue;
import dev.loupe.upload.Upload;
import dev.loupe.upload.Uploads;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/buckets/{bucket}/objects}: register objects (blobs + metadata), list, get,
 * delete. Inline blob data is stored on disk at once; URLs are fetched when processed.
 */
final class ObjectRoutes implements ApiServer.Routes {
    private final Catalog catalog;
    private final Scopes scopes;
    private final BlobStore sources;
    private final WorkQueue queue;
    private final Ingestion ingestion;
    private final long maxBlobBytes;
    private final Uploads uploads;

    ObjectRoutes(Catalog catalog, Scopes scopes, BlobStore sources, WorkQueue queue, Ingestion ingestion, long maxBlobBytes,
                 Uploads uploads) {
        this.uploads = uploads;
        this.catalog = catalog;
        this.scopes = scopes;
        this.sources = sources;
        this.queue = queue;
        this.ingestion = ingestion;
        this.maxBlobBytes = maxBlobBytes;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/buckets/{bucket}/objects", this::create);
        r.post("/v1/buckets/{bucket}/objects/batch", this::createMany);
        r.post("/v1/buckets/{bucket}/objects/list", this::list);
        r.get("/v1/buckets/{bucket}/objects/{object}", this::get);
        r.patch("/v1/buckets/{bucket}/objects/{object}", this::patch);
        r.delete("/v1/buckets/{bucket}/objects/{object}", this::delete);
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        StoredObject o = create(scope.namespaceId(), bucket, Body.of(Json.parseRequest(ctx.body())));
        ApiServer.json(ctx, 200, Views.object(o, "DRAFT", null));
    }

    /** Registers one object as {@code POST /v1/buckets/{b}/objects} does; a confirmed upload's object is made here too. */
    StoredObject create(String namespaceId, Bucket bucket, Body body) {
        StoredObject o = parse(body, bucket, namespaceId);
        return catalog.insert(Kind.OBJECT, o.objectId(), namespaceId, bucket.bucketId(), null, o);
    }

    private void createMany(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        List<StoredObject> objects = new ArrayList<>();
        for (Body b : Body.of(Json.parseRequest(ctx.body())).objects("objects")) objects.add(parse(b, bucket, scope.namespaceId()));
        catalog.database().inTransaction(c -> {
            for (StoredObject o : objects) catalog.insert(c, Kind.OBJECT, o.objectId(), scope.namespaceId(), bucket.bucketId(), null, o);
            return null;
        });
        // All or nothing: a bad object fails the request (422 naming it), so nothing is ever in `failed`.
        ObjectNode out = Json.object();
        ArrayNode created = out.putArray("succeeded");
        for (StoredObject o : objects) created.add(Views.object(o, "DRAFT", null));
        out.putArray("failed");
        out.put("total_requested", objects.size());
        out.put("succeeded_count", objects.size());
        out.put("failed_count", 0);
        ApiServer.json(ctx, 200, out);
    }

    private StoredObject parse(Body body, Bucket bucket, String namespaceId) {
        List<Blob> blobs = new ArrayList<>();
        List<Body> items = body.objects("blobs");
        for (Body b : items) blobs.add(blob(b, bucket, namespaceId));
        ObjectNode metadata = body.objectOrEmpty("metadata");
        if (blobs.isEmpty() && metadata.isEmpty()) throw body.invalid("blobs", "an object needs at least one blob or some metadata");
        String now = Ids.now();
        return new StoredObject(Kind.OBJECT.newId(), bucket.bucketId(), namespaceId,
                body.optionalString("key_prefix").orElse(null), blobs, metadata, now, now);
    }

    static final String TEXT_MIME = "text/plain; charset=utf-8";

    private Blob blob(Body b, Bucket bucket, String namespaceId) {
        String property = b.requiredName("property");
        String type = b.optionalString("type").orElse("image");
        if (!BucketRoutes.FIELD_TYPES.contains(type)) throw b.invalid("type", "unknown blob type '" + type + "'");
        JsonNode data = b.raw("data");
        JsonNode metadata = b.raw("metadata");
        String id = Ids.next("blob_");
        String keyPrefix = b.optionalString("key_prefix").orElse(null);
        if (b.has("upload_id")) {
            // Mixpeek's other way to give a blob: the bytes of a confirmed presigned upload.
            if (data != null) throw b.invalid("upload_id", "a blob takes data or upload_id, not both");
            Upload u = uploads.completed(namespaceId, bucket.bucketId(), b.requiredString("upload_id"), b.path() + ".upload_id");
            return new Blob(id, property, type, keyPrefix, null, u.received().sha256(), u.received().sizeBytes(), u.contentType(), metadata);
        }
        if (data == null) throw b.invalid("data", "is required (an http(s) URL, a data: URI or base64), or upload_id");
        if (!data.isTextual()) {
            // Structured data (text/json blobs) is kept inline as JSON.
            byte[] bytes = Json.write(data).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new Blob(id, property, type, keyPrefix, null, sources.put(bytes, "bin"), (long) bytes.length, "application/json", metadata);
        }
        String lower = data.asText().strip().toLowerCase(java.util.Locale.ROOT);
        if ("text".equals(type) && !lower.startsWith("http://") && !lower.startsWith("https://") && !lower.startsWith("data:")) {
            // A text blob's data is the text itself (Mixpeek's shape), not base64 that happens to decode.
            byte[] bytes = data.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length > maxBlobBytes) {
                throw LoupeException.tooLarge(b.path() + ".data: text is " + bytes.length + " bytes, over the " + maxBlobBytes + "-byte limit");
            }
            return new Blob(id, property, type, keyPrefix, null, sources.put(bytes, "bin"), (long) bytes.length, TEXT_MIME, metadata);
        }
        BlobSource source;
        try {
            source = BlobSource.parse(data.asText(), maxBlobBytes);
        } catch (BlobSource.Oversized e) {
            throw LoupeException.tooLarge(b.path() + ".data: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw b.invalid("data", e.getMessage());
        }
        return switch (source) {
            case BlobSource.Remote remote -> new Blob(id, property, type, keyPrefix, remote.uri().toString(), null, null, null, metadata);
            case BlobSource.Inline inline -> {
                if (inline.bytes().length > maxBlobBytes) {
                    throw LoupeException.tooLarge(b.path() + ".data: blob is " + inline.bytes().length + " bytes, over the " + maxBlobBytes + "-byte limit");
                }
                yield new Blob(id, property, type, keyPrefix, null, sources.put(inline.bytes(), "bin"),
                        (long) inline.bytes().length, inline.mimeType(), metadata);
            }
        };
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = ListQuery.parse(body, Page.from(ctx), SEARCHED, LIST_FIELDS);
        var result = CatalogListing.list(catalog, Kind.OBJECT, scope.namespaceId(), bucket.bucketId(), query, null, this::views);
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (ObjectNode o : result.items()) results.add(query.project(o, ALWAYS_SELECTED));
        out.set("pagination", query.page().response(result.total()));
        ApiServer.json(ctx, 200, out);
    }

    /** What {@code search} looks through: the key, the metadata and the blobs' URLs. */
    private static final List<String> SEARCHED = List.of("object_id", "key_prefix", "metadata", "blobs.properties.url");
    private static final java.util.Set<String> LIST_FIELDS = java.util.Set.of("filters", "sort", "search", "select");
    private static final List<String> ALWAYS_SELECTED = List.of("object_id", "bucket_id");

    /** The objects as they are listed, their processing status looked up for the whole chunk at once. */
    private List<ObjectNode> views(List<StoredObject> objects) {
        Map<String, WorkQueue.ObjectOutcome> outcomes = queue.latestByObject(objects.stream().map(StoredObject::objectId).toList());
        return objects.stream().map(o -> view(o, outcomes.get(o.objectId()))).toList();
    }

    private void patch(Context ctx) {
        Scope scope = scopes.of(ctx);
        StoredObject o = find(ctx, scope);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ObjectNode current = view(o, null);
        Patch patch = Patch.of(body, java.util.Set.of("metadata", "key_prefix", "skip_duplicates"), Map.of(
                "object_id", "it is the object's identity",
                "bucket_id", "an object stays in its bucket",
                "blobs", "documents were made from them; delete the object and create a new one"), current);
        String keyPrefix = body.has("key_prefix") ? body.requiredString("key_prefix") : o.keyPrefix();
        StoredObject updated = new StoredObject(o.objectId(), o.bucketId(), o.namespaceId(), keyPrefix, o.blobs(),
                patch.metadata(o.metadata()), o.createdAt(), Ids.now());
        catalog.update(Kind.OBJECT, o.objectId(), null, updated);
        ApiServer.json(ctx, 200, view(updated, queue.latestByObject(List.of(o.objectId())).get(o.objectId())));
    }

    private void get(Context ctx) {
        Scope scope = scopes.of(ctx);
        StoredObject o = find(ctx, scope);
        ApiServer.json(ctx, 200, view(o, queue.latestByObject(List.of(o.objectId())).get(o.objectId())));
    }

    private StoredObject find(Context ctx, Scope scope) {
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        StoredObject o = catalog.require(Kind.OBJECT, scope.namespaceId(), ctx.pathParam("object"));
        if (!o.bucketId().equals(bucket.bucketId())) throw LoupeException.notFound("object", ctx.pathParam("object"));
        return o;
    }

    private static ObjectNode view(StoredObject o, WorkQueue.ObjectOutcome outcome) {
        if (outcome == null) return Views.object(o, "DRAFT", null);
        String status = switch (outcome.state()) {
            case PENDING -> "PENDING";
            case RUNNING -> "PROCESSING";
            case DONE -> "COMPLETED";
            case FAILED, CANCELED -> "FAILED";
        };
        return Views.object(o, status, outcome.error());
    }

    private void delete(Context ctx) {
        Scope scope = scopes.of(ctx);
        StoredObject o = find(ctx, scope);
        ingestion.deleteObject(o);
        ctx.status(204);
    }
}
