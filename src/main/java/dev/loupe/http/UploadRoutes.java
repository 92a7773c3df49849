package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Task;
import dev.loupe.queue.WorkQueue;
import dev.loupe.upload.Upload;
import dev.loupe.upload.UploadRequest;
import dev.loupe.upload.UploadStatus;
import dev.loupe.upload.Uploads;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code /v1/buckets/{bucket}/uploads}: Mixpeek's presigned upload flow, and the presigned URL
 * itself ({@code PUT /uploads/{id}?expires&max_bytes&signature}), which needs no API key.
 *
 * <pre>
 * curl -H "Authorization: Bearer $KEY" -d '{"filename": "bag.jpg", "content_type": "image/jpeg", "blob_property": "image"}' \
 *      http://localhost:8080/v1/buckets/products/uploads                  # → upload_id, presigned_url
 * curl -X PUT -T bag.jpg "$PRESIGNED_URL"                                 # → ETag
 * curl -H "Authorization: Bearer $KEY" -d '{}' http://localhost:8080/v1/buckets/products/uploads/$UPLOAD_ID/confirm
 * </pre>
 */
final class UploadRoutes implements ApiServer.Routes {
    private static final Set<String> LIST_FIELDS = Set.of("filters", "sort", "search");
    private static final List<String> SEARCHED = List.of("filename", "metadata");
    private static final int SCAN_CHUNK = 500;

    private final Catalog catalog;
    private final Scopes scopes;
    private final Uploads uploads;
    private final ObjectRoutes objects;
    private final WorkQueue queue;
    private final Views views;

    UploadRoutes(Catalog catalog, Scopes scopes, Uploads uploads, ObjectRoutes objects, WorkQueue queue, Views views) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.uploads = uploads;
        this.objects = objects;
        this.queue = queue;
        this.views = views;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/buckets/{bucket}/uploads", this::create);
        r.post("/v1/buckets/{bucket}/uploads/batch", this::createBatch);
        r.post("/v1/buckets/{bucket}/uploads/list", this::list);
        r.post("/v1/buckets/{bucket}/uploads/confirm/batch", this::confirmBatch);
        r.get("/v1/buckets/{bucket}/uploads/{upload}", this::get);
        r.delete("/v1/buckets/{bucket}/uploads/{upload}", this::delete);
        r.post("/v1/buckets/{bucket}/uploads/{upload}/confirm", this::confirm);
        r.put(Uploads.PATH + "{upload}", this::receive);
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        UploadRequest request = UploadRequest.parse(Body.of(Json.parseRequest(ctx.body())), null, null, uploads.maxBlobBytes());
        ApiServer.json(ctx, 200, created(ctx, uploads.create(scope.namespaceId(), bucket, request)));
    }

    private void createBatch(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        List<Body> items = body.objects("uploads");
        if (items.isEmpty() || items.size() > Uploads.MAX_BATCH) throw body.invalid("uploads", "needs 1 to " + Uploads.MAX_BATCH + " uploads, got " + items.size());
        ObjectNode shared = body.optionalObject("shared_metadata").map(b -> (ObjectNode) b.node()).orElse(null);
        ObjectNode sharedObject = body.optionalObject("shared_object_metadata").map(b -> (ObjectNode) b.node()).orElse(null);
        List<UploadRequest> requests = new ArrayList<>();
        for (Body item : items) requests.add(UploadRequest.parse(item, shared, sharedObject, uploads.maxBlobBytes()));
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("uploads");
        for (Uploads.Creation c : uploads.createAll(scope.namespaceId(), bucket, requests)) list.add(created(ctx, c));
        out.put("total", requests.size());
        ApiServer.json(ctx, 200, out);
    }

    private ObjectNode created(Context ctx, Uploads.Creation c) {
        ObjectNode n = view(c.upload());
        if (c.duplicate()) {
            n.put("is_duplicate", true);
            n.put("duplicate_of_upload_id", c.upload().uploadId());
            n.put("message", "a completed upload of this bucket already holds this content (same file_hash); no upload needed");
        } else {
            n.put("presigned_url", views.baseUrl(ctx) + uploads.presignedPath(c.upload()));
        }
        return n;
    }

    /** The presigned URL: the signature, not an API key, allows it. Answers S3's way, an empty 200 with the ETag. */
    private void receive(Context ctx) {
        String id = ctx.pathParam("upload");
        long expires = longParam(ctx, "expires");
        long maxBytes = longParam(ctx, "max_bytes");
        String length = ctx.header("Content-Length");
        OptionalLong contentLength = OptionalLong.empty();
        if (length != null) {
            try {
                contentLength = OptionalLong.of(Long.parseLong(length.strip()));
            } catch (NumberFormatException e) {
                throw LoupeException.invalid("Content-Length", "must be a number of bytes");
            }
        }
        Optional<String> type = Optional.ofNullable(ctx.header("Content-Type")).filter(t -> !t.isBlank());
        Upload u;
        try {
            u = uploads.receive(id, expires, maxBytes, ctx.queryParam("signature"), contentLength, type, ctx.req().getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.status(200).header("ETag", "\"" + u.received().md5() + "\"");
    }

    private static long longParam(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) throw LoupeException.forbidden("the upload URL lacks its '" + name + "' parameter; use the presigned_url as given");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw LoupeException.forbidden("the upload URL's '" + name + "' is not a number; use the presigned_url as given");
        }
    }

    private void confirm(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        Uploads.Confirmation k = new Uploads.Confirmation(ctx.pathParam("upload"), body.optionalString("etag"),
                body.optionalLong("file_size_bytes", 1, Long.MAX_VALUE));
        Upload u = uploads.confirm(scope.namespaceId(), bucket.bucketId(), k, maker(scope, bucket));
        ApiServer.json(ctx, 200, confirmed(u));
    }

    private void confirmBatch(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        List<Body> items = body.objects("confirmations");
        if (items.isEmpty() || items.size() > Uploads.MAX_BATCH) {
            throw body.invalid("confirmations", "needs 1 to " + Uploads.MAX_BATCH + " confirmations, got " + items.size());
        }
        List<Uploads.Confirmation> ks = new ArrayList<>();
        for (Body b : items) {
            ks.add(new Uploads.Confirmation(b.requiredString("upload_id"), b.optionalString("etag"), b.optionalLong("file_size_bytes", 1, Long.MAX_VALUE)));
        }
        // Confirmation is synchronous here (no S3 to wait for); the task Mixpeek returns is recorded
        // finished, with nothing queued, so polling it works as a Mixpeek client expects.
        List<Upload> done = uploads.confirmAll(scope.namespaceId(), bucket.bucketId(), ks, maker(scope, bucket));
        Task task = new Task(Kind.TASK.newId(), scope.namespaceId(), "api_buckets_uploads_batch_confirm", null, null, Ids.now());
        catalog.insert(Kind.TASK, task.taskId(), scope.namespaceId(), bucket.bucketId(), null, task);
        ObjectNode taskView = Views.task(task, queue.progress(task.taskId()));
        ArrayNode outputs = taskView.putArray("outputs");
        for (Upload u : done) outputs.add(confirmed(u));
        ObjectNode out = Json.object();
        out.put("task_id", task.taskId());
        out.put("status", taskView.path("status").asText());
        out.put("confirmations_count", done.size());
        out.set("task", taskView);
        out.put("message", done.size() + " uploads confirmed");
        ApiServer.json(ctx, 200, out);
    }

    /** A confirmed upload's object, made exactly as {@code POST /v1/buckets/{b}/objects} makes one naming the upload. */
    private Uploads.ObjectMaker maker(Scope scope, Bucket bucket) {
        return u -> {
            ObjectNode request = Json.object();
            ObjectNode blob = request.putArray("blobs").addObject();
            blob.put("property", u.blobProperty());
            blob.put("type", u.blobType());
            blob.put("upload_id", u.uploadId());
            blob.putObject("metadata").put("filename", u.filename());
            request.set("metadata", u.objectMetadata() == null ? Json.object() : u.objectMetadata());
            return objects.create(scope.namespaceId(), bucket, Body.of(request)).objectId();
        };
    }

    private void get(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        ApiServer.json(ctx, 200, view(uploads.require(scope.namespaceId(), bucket.bucketId(), ctx.pathParam("upload"))));
    }

    private void delete(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        uploads.cancel(scope.namespaceId(), bucket.bucketId(), ctx.pathParam("upload"));
        ctx.status(204);
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = bucket(ctx, scope);
        ObjectNode raw = (ObjectNode) Body.of(Json.parseRequest(ctx.body())).node().deepCopy();
        // Loupe hands out no download URLs: the blobs are served through the objects they make.
        raw.remove("return_presigned_urls");
        Body body = Body.of(raw);
        // Mixpeek's ListUploadsRequest pages 20 at a time unless told otherwise.
        Body paged = body.has("limit") ? body : Body.of(raw.deepCopy().put("limit", 20));
        ListQuery query = ListQuery.parse(body, Page.from(ctx, paged), SEARCHED, LIST_FIELDS);
        ListQuery.Collector collector = query.collector();
        long[] sizes = {0, 0};
        Map<String, Integer> byStatus = new TreeMap<>();
        uploads.scan(scope.namespaceId(), bucket.bucketId(), SCAN_CHUNK, chunk -> {
            for (Upload u : chunk) {
                ObjectNode item = view(u);
                if (!query.matches(item)) continue;
                collector.accept(item);
                sizes[0]++;
                sizes[1] += item.path("file_size_bytes").asLong(0);
                byStatus.merge(item.path("status").asText(), 1, Integer::sum);
            }
        });
        ObjectNode out = Json.object();
        out.set("results", Json.tree(collector.page()));
        out.set("pagination", query.page().response(collector.total()));
        ObjectNode stats = out.putObject("stats");
        stats.put("total_uploads", sizes[0]);
        stats.put("total_size_bytes", sizes[1]);
        stats.set("uploads_by_status", Json.tree(byStatus));
        stats.put("avg_file_size_bytes", sizes[0] == 0 ? 0.0 : (double) sizes[1] / sizes[0]);
        stats.put("unique_buckets", sizes[0] == 0 ? 0 : 1);
        ApiServer.json(ctx, 200, out);
    }

    private Bucket bucket(Context ctx, Scope scope) {
        return catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
    }

    /** Mixpeek's UploadResponse, without a URL: the PUT URL is handed out once, when the upload is created. */
    private ObjectNode view(Upload u) {
        Instant now = uploads.now();
        UploadStatus status = u.statusAt(now);
        ObjectNode n = Json.object();
        n.put("upload_id", u.uploadId());
        n.put("bucket_id", u.bucketId());
        n.put("filename", u.filename());
        n.put("content_type", u.contentType());
        Long size = u.received() != null ? Long.valueOf(u.received().sizeBytes()) : u.fileSizeBytes();
        if (size == null) n.putNull("file_size_bytes");
        else n.put("file_size_bytes", size);
        n.putNull("presigned_url");
        n.put("presigned_url_expiration", u.expirationSeconds());
        n.put("s3_key", u.namespaceId() + "/" + u.bucketId() + "/uploads/" + u.uploadId() + "/" + u.filename());
        n.put("status", status.wire());
        n.set("metadata", u.metadata() == null ? Json.object() : u.metadata());
        n.put("create_object_on_confirm", u.createObjectOnConfirm());
        n.set("object_metadata", u.objectMetadata());
        n.put("blob_property", u.blobProperty());
        n.put("blob_type", u.blobType());
        String hash = u.received() != null ? u.received().sha256() : u.fileHash();
        if (hash == null) n.putNull("file_hash");
        else n.put("file_hash", hash);
        n.put("skip_duplicates", u.skipDuplicates());
        n.put("is_duplicate", u.duplicateOf() != null);
        if (u.duplicateOf() == null) n.putNull("duplicate_of_upload_id");
        else n.put("duplicate_of_upload_id", u.duplicateOf());
        n.put("skipped_unique_key", false);
        n.putNull("existing_object_id");
        if (status == UploadStatus.EXPIRED) n.put("message", "the upload URL expired at " + u.expiresAt() + " before any bytes arrived");
        else if (u.error() != null) n.put("message", u.error());
        else n.putNull("message");
        if (u.error() != null) n.put("error", u.error());
        n.put("created_at", u.createdAt());
        n.put("expires_at", u.expiresAt());
        putOrNull(n, "completed_at", u.completedAt());
        putOrNull(n, "verified_at", u.received() == null ? null : u.received().at());
        putOrNull(n, "etag", u.received() == null ? null : "\"" + u.received().md5() + "\"");
        putOrNull(n, "object_id", u.objectId());
        n.putNull("task_id");
        return n;
    }

    /** Mixpeek's ConfirmUploadResponse. */
    private static ObjectNode confirmed(Upload u) {
        ObjectNode n = Json.object();
        n.put("upload_id", u.uploadId());
        n.put("status", u.status().wire());
        n.put("etag", "\"" + u.received().md5() + "\"");
        n.put("file_size_bytes", u.received().sizeBytes());
        n.put("file_hash", u.received().sha256());
        n.put("verified_at", u.received().at());
        putOrNull(n, "completed_at", u.completedAt());
        putOrNull(n, "object_id", u.objectId());
        n.putNull("task_id");
        n.put("message", u.duplicateOf() != null
                ? "the same content was already uploaded as " + u.duplicateOf() + "; its object is reused"
                : u.objectId() != null ? "upload confirmed; object " + u.objectId() + " created" : "upload confirmed");
        if (u.duplicateOf() != null) n.put("duplicate_of_upload_id", u.duplicateOf());
        return n;
    }

    private static void putOrNull(ObjectNode n, String field, String value) {
        if (value == null) n.putNull(field);
        else n.put(field, value);
    }
}
