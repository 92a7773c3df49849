package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Batch;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.catalog.Task;
import dev.loupe.ingestion.Ingestion;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkQueue;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code /v1/buckets/{bucket}/batches} (create DRAFT, add objects, submit → task, get,
 * list) and {@code /v1/tasks} (get, list).
 */
final class BatchRoutes implements ApiServer.Routes {
    private static final int MAX_BATCH_OBJECTS = 100_000;

    private final Catalog catalog;
    private final Scopes scopes;
    private final Ingestion ingestion;
    private final WorkQueue queue;

    BatchRoutes(Catalog catalog, Scopes scopes, Ingestion ingestion, WorkQueue queue) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.ingestion = ingestion;
        this.queue = queue;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/buckets/{bucket}/batches", this::create);
        r.post("/v1/buckets/{bucket}/batches/list", this::list);
        r.get("/v1/buckets/{bucket}/batches/{batch}", this::get);
        r.post("/v1/buckets/{bucket}/batches/{batch}/objects", this::addObjects);
        r.post("/v1/buckets/{bucket}/batches/{batch}/submit", this::submit);
        r.get("/v1/tasks/{task}", this::task);
        r.post("/v1/tasks/list", this::tasks);
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Body body = Body.of(Json.parseRequest(ctx.body()));
        List<String> ids = objectIds(body, scope, bucket);
        String id = Kind.BATCH.newId();
        String now = Ids.now();
        Batch batch = catalog.insert(Kind.BATCH, id, scope.namespaceId(), bucket.bucketId(), null,
                new Batch(id, bucket.bucketId(), scope.namespaceId(), Batch.DRAFT, ids, null, now, now));
        ApiServer.json(ctx, 200, Views.batch(batch, null));
    }

    /** The body's object ids, each checked to be an object of this bucket, duplicates dropped. */
    private List<String> objectIds(Body body, Scope scope, Bucket bucket) {
        if (!body.has("object_ids")) throw body.invalid("object_ids", "is required");
        List<String> requested = body.strings("object_ids");
        if (requested.size() > MAX_BATCH_OBJECTS) throw body.invalid("object_ids", "at most " + MAX_BATCH_OBJECTS + " objects per batch");
        List<String> missing = new ArrayList<>();
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        catalog.database().inTransaction(c -> {
            for (String ref : requested) {
                var o = catalog.find(c, Kind.OBJECT, scope.namespaceId(), ref);
                if (o.isEmpty() || !o.get().bucketId().equals(bucket.bucketId())) missing.add(ref);
                else ids.add(o.map(StoredObject::objectId).get());
            }
            return null;
        });
        if (!missing.isEmpty()) {
            throw body.invalid("object_ids", missing.size() + " object(s) not found in bucket '" + bucket.bucketName() + "': "
                    + missing.subList(0, Math.min(10, missing.size())));
        }
        return List.copyOf(ids);
    }

    private Batch find(Context ctx, Scope scope, Bucket bucket) {
        Batch b = catalog.require(Kind.BATCH, scope.namespaceId(), ctx.pathParam("batch"));
        if (!b.bucketId().equals(bucket.bucketId())) throw ApiException.notFound("batch", ctx.pathParam("batch"));
        return b;
    }

    private void addObjects(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Batch batch = find(ctx, scope, bucket);
        List<String> added = objectIds(Body.of(Json.parseRequest(ctx.body())), scope, bucket);
        Batch updated = catalog.database().inTransaction(c -> {
            Batch current = catalog.require(c, Kind.BATCH, scope.namespaceId(), batch.batchId());
            if (!Batch.DRAFT.equals(current.status())) throw ApiException.conflict("batch " + batch.batchId() + " was already submitted");
            LinkedHashSet<String> all = new LinkedHashSet<>(current.objectIds());
            all.addAll(added);
            Batch next = current.withObjects(List.copyOf(all), Ids.now());
            catalog.update(c, Kind.BATCH, next.batchId(), null, next);
            return next;
        });
        ApiServer.json(ctx, 200, Views.batch(updated, null));
    }

    private void submit(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Batch batch = find(ctx, scope, bucket);
        Task task = ingestion.submit(scope.namespaceId(), batch);
        ApiServer.json(ctx, 200, Views.task(task, queue.progress(task.taskId())));
    }

    private void get(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Batch batch = find(ctx, scope, bucket);
        ApiServer.json(ctx, 200, Views.batch(batch, progress(batch)));
    }

    private TaskProgress progress(Batch batch) {
        return batch.taskId() == null ? null : queue.progress(batch.taskId());
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Page page = Page.from(ctx);
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (Batch b : catalog.list(Kind.BATCH, scope.namespaceId(), bucket.bucketId(), page.limit(), page.offset())) {
            results.add(Views.batch(b, progress(b)));
        }
        int total = catalog.count(Kind.BATCH, scope.namespaceId(), bucket.bucketId());
        out.set("pagination", page.response(total));
        out.put("total_count", total);
        ApiServer.json(ctx, 200, out);
    }

    private void task(Context ctx) {
        Scope scope = scopes.of(ctx);
        Task task = catalog.require(Kind.TASK, scope.namespaceId(), ctx.pathParam("task"));
        ApiServer.json(ctx, 200, Views.task(task, queue.progress(task.taskId())));
    }

    private void tasks(Context ctx) {
        Scope scope = scopes.of(ctx);
        Page page = Page.from(ctx);
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (Task t : catalog.list(Kind.TASK, scope.namespaceId(), null, page.limit(), page.offset())) {
            results.add(Views.task(t, queue.progress(t.taskId())));
        }
        out.set("pagination", page.response(catalog.count(Kind.TASK, scope.namespaceId(), null)));
        ApiServer.json(ctx, 200, out);
    }
}
