package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Task;
import dev.loupe.cluster.ClusterConfig;
import dev.loupe.cluster.Clusters;
import dev.loupe.queue.TaskProgress;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v1/clusters}: Mixpeek's create, list, get, patch, delete, execute (a task) and
 * executions, plus two routes of Loupe's own, since Mixpeek's API has no manual corrections:
 * {@code POST /v1/clusters/{id}/merge} {@code {"source_cluster_ids": [...], "target_cluster_id"}}
 * and {@code POST /v1/clusters/{id}/move} {@code {"document_ids": [...], "target_cluster_id"}}.
 * Both change the last execution at once and are reapplied by every later one.
 */
final class ClusterRoutes implements ApiServer.Routes {
    /** Documents or clusters named in one edit. */
    private static final int MAX_EDIT_ITEMS = 1_000;

    private final Catalog catalog;
    private final Scopes scopes;
    private final Clusters clusters;

    ClusterRoutes(Catalog catalog, Scopes scopes, Clusters clusters) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.clusters = clusters;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/clusters", this::create);
        r.post("/v1/clusters/list", this::list);
        r.get("/v1/clusters/{cluster}", ctx -> ApiServer.json(ctx, 200, metadata(find(ctx))));
        r.patch("/v1/clusters/{cluster}", this::patch);
        r.delete("/v1/clusters/{cluster}", this::delete);
        r.post("/v1/clusters/{cluster}/execute", this::execute);
        r.get("/v1/clusters/{cluster}/executions", this::lastExecution);
        r.get("/v1/clusters/{cluster}/executions/{run}", this::execution);
        r.post("/v1/clusters/{cluster}/merge", this::merge);
        r.post("/v1/clusters/{cluster}/move", this::move);
    }

    private ClusterDefinition find(Context ctx) {
        return clusters.require(scopes.of(ctx).namespaceId(), ctx.pathParam("cluster"));
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ClusterConfig config = ClusterConfig.parse(body);
        ClusterDefinition def = clusters.create(scope.namespaceId(), config, body.objectOrEmpty("metadata"));
        ApiServer.json(ctx, 200, metadata(def));
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = ListQuery.parse(body, Page.from(ctx), List.of("cluster_id", "cluster_name", "description"),
                Set.of("filters", "sort", "search"));
        var result = CatalogListing.list(catalog, Kind.CLUSTER, scope.namespaceId(), null, query, null,
                defs -> defs.stream().map(this::metadata).toList());
        ObjectNode out = result.response();
        out.put("total_count", result.total());
        ApiServer.json(ctx, 200, out);
    }

    private void patch(Context ctx) {
        ClusterDefinition def = find(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        Patch patch = Patch.of(body, Set.of("cluster_name", "description", "metadata"),
                Map.of("cluster_id", "it is the cluster's identity"), null);
        ClusterDefinition updated = clusters.rename(def, patch.name("cluster_name", def.clusterName()), patch.description(def.description()),
                patch.metadata(def.metadata()));
        ApiServer.json(ctx, 200, model(updated));
    }

    private void delete(Context ctx) {
        ClusterDefinition def = find(ctx);
        clusters.delete(def.namespaceId(), def.clusterId());
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }

    private void execute(Context ctx) {
        Scope scope = scopes.of(ctx);
        Task task = clusters.execute(scope.namespaceId(), ctx.pathParam("cluster"));
        ClusterRun run = clusters.runOf(task).orElseThrow();
        ApiServer.json(ctx, 200, Views.task(task, progress(run)));
    }

    private void lastExecution(Context ctx) {
        ClusterDefinition def = find(ctx);
        ClusterRun run = clusters.lastRun(def).orElseThrow(() -> LoupeException.notFound("cluster execution", def.clusterId()));
        ApiServer.json(ctx, 200, execution(run));
    }

    private void execution(Context ctx) {
        ClusterDefinition def = find(ctx);
        String runId = ctx.pathParam("run");
        ClusterRun run = catalog.find(Kind.CLUSTER_RUN, def.namespaceId(), runId).filter(r -> r.clusterId().equals(def.clusterId()))
                .orElseThrow(() -> LoupeException.notFound("cluster execution", runId));
        ApiServer.json(ctx, 200, execution(run));
    }

    private void merge(Context ctx) {
        ClusterDefinition def = find(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        List<String> sources = bounded(body, "source_cluster_ids");
        ClusterRun run = clusters.merge(def.namespaceId(), def.clusterId(), sources, body.requiredString("target_cluster_id"));
        ApiServer.json(ctx, 200, execution(run));
    }

    private void move(Context ctx) {
        ClusterDefinition def = find(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        List<String> docs = bounded(body, "document_ids");
        ClusterRun run = clusters.move(def.namespaceId(), def.clusterId(), docs, body.requiredString("target_cluster_id"));
        ApiServer.json(ctx, 200, execution(run));
    }

    private static List<String> bounded(Body body, String field) {
        List<String> items = body.strings(field);
        if (items.isEmpty()) throw body.invalid(field, "at least one is required");
        if (items.size() > MAX_EDIT_ITEMS) throw body.invalid(field, "at most " + MAX_EDIT_ITEMS + " in one request");
        return items.stream().distinct().toList();
    }

    /** A cluster task's progress: one unit, as far as its run has got. */
    static TaskProgress progress(ClusterRun run) {
        return switch (run.status()) {
            case PENDING -> new TaskProgress(1, 0, 0, 0, 0, Map.of());
            case PROCESSING -> new TaskProgress(0, 1, 0, 0, 0, Map.of());
            case COMPLETED -> new TaskProgress(0, 0, 1, 0, 0, Map.of());
            case FAILED -> new TaskProgress(0, 0, 0, 1, 0, Map.of(run.clusterId(), String.valueOf(run.errorMessage())));
        };
    }

    /** Mixpeek's {@code ClusterMetadata}. */
    private ObjectNode metadata(ClusterDefinition d) {
        Optional<ClusterRun> run = clusters.lastRun(d);
        ObjectNode n = common(d);
        n.set("input_collections", Json.tree(d.collectionIds()));
        n.put("algorithm", d.algorithm());
        n.set("algorithm_params", d.algorithmParams());
        n.put("multi_feature_strategy", "concatenate");
        n.put("enrich_source", true);
        n.putArray("output_collection_ids");
        n.putArray("output_collection_names");
        n.put("status", run.map(r -> status(r).name()).orElse("PENDING"));
        run.ifPresent(r -> {
            n.put("last_execution_task_id", r.taskId());
            n.put("last_executed_at", r.createdAt());
            if (r.status() == ClusterRun.Status.COMPLETED) {
                n.put("num_clusters", r.groups().size());
                n.put("num_documents_clustered", r.numPoints());
                n.put("execution_time_seconds", r.executionTimeSeconds());
                n.put("completed_at", r.completedAt());
            }
        });
        return n;
    }

    /** Mixpeek's {@code ClusterModel}, which PATCH answers. */
    private ObjectNode model(ClusterDefinition d) {
        Optional<ClusterRun> run = clusters.lastRun(d);
        ObjectNode n = common(d);
        n.set("collection_ids", Json.tree(d.collectionIds()));
        ObjectNode vector = n.putObject("vector_config");
        vector.putArray("feature_uris").add(d.featureUri());
        vector.put("clustering_method", d.algorithm());
        vector.set("algorithm_params", d.algorithmParams());
        if (d.sampleSize() != null) vector.put("sample_size", d.sampleSize());
        n.put("enrich_source_collection", true);
        n.put("status", run.map(r -> status(r).name()).orElse("PENDING"));
        run.ifPresent(r -> {
            n.put("task_id", r.taskId());
            if (r.status() == ClusterRun.Status.COMPLETED) {
                n.put("last_run_id", r.runId());
                n.put("num_clusters", r.groups().size());
            }
        });
        return n;
    }

    private static ObjectNode common(ClusterDefinition d) {
        ObjectNode n = Json.object();
        n.put("cluster_id", d.clusterId());
        n.put("cluster_name", d.clusterName());
        if (d.description() != null) n.put("description", d.description());
        n.put("namespace_id", d.namespaceId());
        n.put("cluster_type", "vector");
        n.set("feature_uris", Json.array().add(d.featureUri()));
        if (d.filters() != null) n.set("filters", d.filters());
        n.set("metadata", d.metadata() == null ? Json.object() : d.metadata());
        n.put("created_at", d.createdAt());
        n.put("updated_at", d.updatedAt());
        return n;
    }

    private static TaskProgress.Status status(ClusterRun run) {
        return progress(run).status();
    }

    /**
     * Mixpeek's {@code ClusterExecutionResult}. Each centroid also carries Loupe's
     * {@code centroid} (the unit vector) and {@code radius} (farthest member's cosine distance).
     */
    static ObjectNode execution(ClusterRun run) {
        ObjectNode n = Json.object();
        n.put("run_id", run.runId());
        n.put("cluster_id", run.clusterId());
        n.put("status", Body.wireName(run.status()));
        n.put("num_clusters", run.groups().size());
        n.put("num_points", run.numPoints());
        n.put("noise_points", run.noisePoints());
        ArrayNode centroids = n.putArray("centroids");
        for (ClusterRun.Group g : run.groups()) {
            ObjectNode c = centroids.addObject();
            c.put("cluster_id", g.clusterId());
            c.put("num_members", g.numMembers());
            c.put("label", g.label());
            ArrayNode v = c.putArray("centroid");
            for (float x : g.centroid()) v.add(x);
            c.put("radius", g.radius());
        }
        n.put("created_at", run.createdAt());
        if (run.completedAt() != null) n.put("completed_at", run.completedAt());
        if (run.errorMessage() != null) n.put("error_message", run.errorMessage());
        return n;
    }
}
