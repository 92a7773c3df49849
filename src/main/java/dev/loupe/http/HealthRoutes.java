package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.blob.BlobStore;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Kind;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.ingestion.Ingestion;
import dev.loupe.queue.WorkQueue;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /v1/health} in Mixpeek's shape, without a key: each of Loupe's stores is
 * exercised for real (a catalog query, a queue query, a blob written and read back, a
 * document count, the image model's manifest), and a failing one turns the status to
 * {@code DEGRADED} with its error. A task queue no worker serves any more (a worker thread
 * that ended) is {@code DEGRADED} with the reason and answered 503. {@code GET /health}
 * stays the bare liveness probe.
 */
final class HealthRoutes implements ApiServer.Routes {
    static final String PATH = "/v1/health";
    private static final byte[] PROBE = "loupe health probe".getBytes(StandardCharsets.US_ASCII);

    private final Catalog catalog;
    private final WorkQueue queue;
    private final BlobStore blobs;
    private final DocumentIndex index;
    private final ExtractorCatalog extractors;
    private final Ingestion ingestion;

    HealthRoutes(Catalog catalog, WorkQueue queue, BlobStore blobs, DocumentIndex index, ExtractorCatalog extractors, Ingestion ingestion) {
        this.ingestion = ingestion;
        this.catalog = catalog;
        this.queue = queue;
        this.blobs = blobs;
        this.index = index;
        this.extractors = extractors;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get(PATH, this::health);
    }

    private void health(Context ctx) {
        Map<String, String> errors = new LinkedHashMap<>();
        ObjectNode data = Json.object();
        data.put("cache", true); // the query-vector cache lives in this process
        data.put("metadata", check(errors, "metadata", () -> catalog.count(Kind.NAMESPACE, null, null)));
        data.put("task_queue", check(errors, "task_queue", () -> {
            queue.progress("task_health_probe");
            // A queue nobody works on is not healthy: queued work would wait for ever.
            List<String> stopped = ingestion.stoppedWorkers();
            if (!stopped.isEmpty()) throw new IllegalStateException(String.join("; ", stopped));
            return stopped;
        }));
        data.put("object_storage", check(errors, "object_storage", () -> {
            String sha = blobs.put(PROBE, "bin");
            if (!java.util.Arrays.equals(blobs.read(sha, "bin"), PROBE)) throw new IllegalStateException("blob read back differs");
            return sha;
        }));
        data.put("vector_store", check(errors, "vector_store", () -> {
            var first = catalog.list(Kind.COLLECTION, null, null, 1, 0);
            return first.isEmpty() ? 0L : index.count(first.getFirst().collectionId(), FilterNode.ALL);
        }));
        data.put("inference", check(errors, "inference", extractors::describe));
        ObjectNode out = Json.object();
        out.put("status", errors.isEmpty() ? "OK" : "DEGRADED");
        out.set("data", data);
        if (!errors.isEmpty()) out.set("errors", Json.tree(errors));
        out.putObject("meta").put("service", "loupe").put("api_url", ctx.scheme() + "://" + ctx.host());
        // 503 only when nothing would ingest: load balancers and monitors read the code, not the body.
        ApiServer.json(ctx, errors.containsKey("task_queue") ? 503 : 200, out);
    }

    private static boolean check(Map<String, String> errors, String service, Supplier<?> probe) {
        try {
            probe.get();
            return true;
        } catch (RuntimeException e) {
            errors.put(service, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return false;
        }
    }
}
