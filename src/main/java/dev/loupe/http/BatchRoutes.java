package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
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
import java.util.Optional;
import java.util.Set;
import dev.loupe.filter.FilterNode;

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
    private final TaskStatuses statuses;

    BatchRoutes(Catalog catalog, Scopes scopes, Ingestion ingestion, WorkQueue queue, TaskStatuses statuses) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.ingestion = ingestion;
        this.queue = queue;
        this.statuses = statuses;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/buckets/{bucket}/batches", this::create);
        r.post("/v1/buckets/{bucket}/batches/list", this::list);
        r.get("/v1/buckets/{bucket}/batches/{batch}", this::get);
        r.post("/v1/buckets/{bucket}/batches/{batch}/objects", this::addObjects);
        r.post("/v1/buckets/{bucket}/batches/{batch}/submit", this::submit);
        r.post("/v1/buckets/{bucket}/batches/{batch}/cancel", this::cancel);
        r.post("/v1/buckets/{bucket}/batches/{batch}/retry", this::retry);
        r.post("/v1/tasks/list", this::tasks);
        r.get("/v1/tasks/{task}", this::task);
        r.delete("/v1/tasks/{task}", this::deleteTask);
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
        if (requested.isEmpty()) throw body.invalid("object_ids", "needs at least one object id");
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
        if (!b.bucketId().equals(bucket.bucketId())) throw LoupeException.notFound("batch", ctx.pathParam("batch"));
        return b;
    }

    private void addObjects(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Batch batch = find(ctx, scope, bucket);
        List<String> added = objectIds(Body.of(Json.parseRequest(ctx.body())), scope, bucket);
        Batch updated = catalog.database().inTransaction(c -> {
            Batch current = catalog.require(c, Kind.BATCH, scope.namespaceId(), batch.batchId());
            if (!Batch.DRAFT.equals(current.status())) throw LoupeException.conflict("batch " + batch.batchId() + " was already submitted");
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
        Body body = Body.of(Json.parseRequest(ctx.body()));
        // Mixpeek's ListBatchesRequest pages in the body, 100 at a time unless told otherwise.
        Body paged = body.has("limit") ? body : Body.of(((ObjectNode) body.node().deepCopy()).put("limit", 100));
        ListQuery query = withStatus(ListQuery.parse(body, Page.from(ctx, paged), List.of("batch_id", "task_id"),
                Set.of("status", "filters", "sort", "search")), body);
        var result = CatalogListing.list(catalog, Kind.BATCH, scope.namespaceId(), bucket.bucketId(), query, null,
                batches -> batches.stream().map(b -> Views.batch(b, progress(b))).toList());
        ObjectNode out = result.response();
        out.put("total_count", result.total());
        ApiServer.json(ctx, 200, out);
    }

    /** Mixpeek's task statuses; IN_PROGRESS and PROCESSING name the same state here. */
    static final List<String> STATUSES = List.of("PENDING", "IN_PROGRESS", "PROCESSING", "COMPLETED", "COMPLETED_WITH_ERRORS",
            "FAILED", "CANCELED", "UNKNOWN", "SKIPPED", "DRAFT", "ACTIVE", "ARCHIVED", "SUSPENDED");

    /** The query narrowed to the body's {@code status}, checked against Mixpeek's statuses. */
    private static ListQuery withStatus(ListQuery query, Body body) {
        return body.optionalString("status").map(s -> {
            String status = s.strip().toUpperCase(java.util.Locale.ROOT);
            if (!STATUSES.contains(status)) throw body.invalid("status", "must be one of " + STATUSES + ", got '" + s + "'");
            var values = Json.array().add(status);
            if (status.equals("IN_PROGRESS") || status.equals("PROCESSING")) values.add("IN_PROGRESS").add("PROCESSING");
            return query.and(new FilterNode.Condition("status", FilterNode.Operator.IN, values));
        }).orElse(query);
    }

    private void cancel(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Batch batch = find(ctx, scope, bucket);
        Task task = submittedTask(batch, "cancel");
        queue.cancel(task.taskId());
        ApiServer.json(ctx, 200, Views.task(task, queue.progress(task.taskId())));
    }

    private void retry(Context ctx) {
        Scope scope = scopes.of(ctx);
        Bucket bucket = catalog.require(Kind.BUCKET, scope.namespaceId(), ctx.pathParam("bucket"));
        Batch batch = find(ctx, scope, bucket);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String mode = body.optionalString("retry_mode").orElse("transient_only");
        if (!mode.equals("transient_only") && !mode.equals("all")) {
            throw body.invalid("retry_mode", "must be 'transient_only' or 'all', got '" + mode + "'");
        }
        if (!body.strings("tier_nums").isEmpty()) {
            throw body.invalid("tier_nums", "retrying single tiers is not supported; leave it out to retry every tier");
        }
        int maxRetries = body.optionalInt("max_retry_count", 1, 10).orElse(3);
        Task task = submittedTask(batch, "retry");
        // An item's first run is attempt 1, so max_retry_count retries allow 1 + max_retry_count attempts.
        int retried = queue.retry(task.taskId(), maxRetries + 1);
        ObjectNode out = Json.object();
        out.put("success", true);
        out.put("batch_id", batch.batchId());
        out.put("task_id", task.taskId());
        out.put("retry_mode", mode);
        out.put("retried_count", retried);
        out.put("status", queue.progress(task.taskId()).status().name());
        ApiServer.json(ctx, 200, out);
    }

    private Task submittedTask(Batch batch, String action) {
        if (batch.taskId() == null) throw LoupeException.conflict("batch " + batch.batchId() + " has not been submitted; nothing to " + action);
        return catalog.findById(Kind.TASK, batch.taskId())
                .orElseThrow(() -> LoupeException.conflict("the task of batch " + batch.batchId() + " was deleted; nothing to " + action));
    }

    /**
     * A task by id. Mixpeek's task paths carry no namespace, so a generated client sends none:
     * then the task is found wherever it is, if the key may read that namespace.
     */
    private Task findTask(Context ctx) {
        String id = ctx.pathParam("task");
        if (Scopes.requested(ctx).isPresent()) return catalog.require(Kind.TASK, scopes.of(ctx).namespaceId(), id);
        Task task = catalog.findById(Kind.TASK, id).orElseThrow(() -> LoupeException.notFound("task", id));
        if (!scopes.key(ctx).mayUse(task.namespaceId())) throw LoupeException.notFound("task", id);
        return task;
    }

    private void task(Context ctx) {
        Task task = findTask(ctx);
        ApiServer.json(ctx, 200, Views.task(task, statuses.progress(task)));
    }

    private void deleteTask(Context ctx) {
        Task task = findTask(ctx);
        TaskProgress p = statuses.progress(task);
        if (p.pending() + p.running() > 0) {
            throw LoupeException.conflict("task " + task.taskId() + " is still " + p.status().name() + "; cancel its batch first");
        }
        catalog.database().inTransaction(c -> catalog.delete(c, Kind.TASK, task.taskId()));
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }

    /** Tasks of the named namespace, or without a namespace (as Mixpeek's clients call it) of every namespace the key may read. */
    private void tasks(Context ctx) {
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = withStatus(ListQuery.parse(body, Page.from(ctx), List.of("task_id", "task_type", "inputs", "error"),
                Set.of("status", "task_type", "filters", "sort", "search")), body);
        Optional<String> type = body.optionalString("task_type");
        if (type.isPresent()) query = query.and(new FilterNode.Condition("task_type", FilterNode.Operator.EQ, Json.tree(type.get())));
        String namespaceId = Scopes.requested(ctx).isPresent() ? scopes.of(ctx).namespaceId() : null;
        var key = scopes.key(ctx);
        var result = CatalogListing.list(catalog, Kind.TASK, namespaceId, null, query,
                namespaceId == null ? (Task t) -> key.mayUse(t.namespaceId()) : null,
                tasks -> tasks.stream().map(t -> Views.task(t, statuses.progress(t))).toList());
        ApiServer.json(ctx, 200, result.response());
    }
}
