package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.auth.ApiKeys;
import dev.loupe.blob.BlobStore;
import dev.loupe.catalog.Catalog;
import dev.loupe.cluster.Clusters;
import dev.loupe.config.Settings;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.http.openapi.Operation;
import dev.loupe.http.openapi.Operations;
import dev.loupe.index.DocumentIndex;
import dev.loupe.ingestion.Ingestion;
import dev.loupe.metrics.Metrics;
import dev.loupe.publish.Publications;
import dev.loupe.publish.RateLimiter;
import dev.loupe.queue.WorkQueue;
import dev.loupe.retriever.RetrieverExecutor;
import dev.loupe.retriever.RetrieverExplainer;
import dev.loupe.upload.Uploads;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP API: Mixpeek's paths under {@code /v1}, each resource registered by its own
 * routes class, every error rendered in Mixpeek's shape
 * {@code {"success": false, "status", "error": {"message", "type", "details"}}}.
 *
 * <pre>
 * curl -H "Authorization: Bearer $KEY" -H "X-Namespace: shop" \
 *      -d '{"bucket_name": "products", "bucket_schema": {"properties": {"image_url": {"type": "image"}}}}' \
 *      http://localhost:8080/v1/buckets
 * </pre>
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    /** A resource's routes. */
    interface Routes {
        void register(RoutesConfig routes);
    }

    private final Javalin app;

    /** Everything the routes need, built by the caller. */
    public record Services(Catalog catalog, ApiKeys keys, WorkQueue queue, DocumentIndex index, Ingestion ingestion,
                           ExtractorCatalog extractors, RetrieverExecutor executor, BlobStore sources, BlobStore thumbnails,
                           Clusters clusters, Publications publications, Uploads uploads, Metrics metrics) {
    }

    public ApiServer(Settings settings, Services s) {
        this(settings.host(), settings.port(), 2 * settings.maxBlobBytes() + (1 << 20), new Scopes(s.catalog(), s.keys()), settings, s);
    }

    private ApiServer(String host, int port, long maxRequestBytes, Scopes scopes, Settings settings, Services s) {
        this(host, port, maxRequestBytes, scopes, routes(scopes, settings, s), new RequestLog(s.metrics()));
        NamespaceRoutes.ensureDefault(s.catalog());
    }

    private static List<Routes> routes(Scopes scopes, Settings settings, Services s) {
        Views views = new Views(settings.publicUrl());
        RateLimiter publicLimiter = new RateLimiter();
        ObjectRoutes objects = new ObjectRoutes(s.catalog(), scopes, s.sources(), s.queue(), s.ingestion(), settings.maxBlobBytes(), s.uploads());
        return List.of(
                new NamespaceRoutes(s.catalog(), scopes),
                new BucketRoutes(s.catalog(), scopes),
                objects,
                new UploadRoutes(s.catalog(), scopes, s.uploads(), objects, s.queue(), views),
                new BatchRoutes(s.catalog(), scopes, s.ingestion(), s.queue(), new TaskStatuses(s.queue(), s.clusters())),
                new ClusterRoutes(s.catalog(), scopes, s.clusters()),
                new CollectionRoutes(s.catalog(), scopes, s.extractors(), s.ingestion(), s.index()),
                new DocumentRoutes(s.catalog(), scopes, s.index(), views),
                new PublishRoutes(s.catalog(), scopes, s.publications(), publicLimiter, views),
                new PublicRoutes(s.catalog(), s.publications(), s.executor(), views, publicLimiter, new RateLimiter()),
                new RetrieverRoutes(s.catalog(), scopes, s.executor(), new RetrieverExplainer(s.index(), s.executor()), views, s.publications()),
                new KeyRoutes(s.keys(), s.catalog(), scopes),
                new ThumbnailRoutes(s.thumbnails()),
                new HealthRoutes(s.catalog(), s.queue(), s.sources(), s.index(), s.extractors(), s.ingestion()),
                new ExtractorRoutes(s.extractors()),
                new MetricsRoutes(s.metrics(), scopes),
                new PageRoutes(settings.publicUrl()),
                new DocsRoutes(Operations.all()));
    }

    private ApiServer(String host, int port, long maxRequestBytes, Scopes scopes, List<Routes> resources, RequestLog requests) {
        this.app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = maxRequestBytes;
            config.startup.showJavalinBanner = false;
            config.requestLogger.http(requests::record);
            config.routes.before("/v1/*", scopes::authenticate);
            config.routes.get("/health", ctx -> json(ctx, 200, Map.of("status", "ok")));
            for (Routes r : resources) r.register(config.routes);
            config.routes.exception(LoupeException.class, (e, ctx) -> {
                if (e instanceof LoupeException.RateLimited r) ctx.header("Retry-After", String.valueOf(r.retryAfterSeconds()));
                render(ctx, ApiError.of(e));
            });
            config.routes.exception(HttpResponseException.class, (e, ctx) -> render(ctx, ApiError.ofStatus(e.getStatus(), e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.SEVERE, "unhandled error on " + ctx.method() + " " + ctx.path(), e);
                render(ctx, ApiError.ofStatus(500, "internal error: " + e.getClass().getSimpleName()));
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.attribute(ERROR_RENDERED) == null) {
                    render(ctx, ApiError.ofStatus(404, "no route for " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.error(405, "*", ctx ->
                    render(ctx, ApiError.ofStatus(405, "method " + ctx.method() + " not allowed on " + ctx.path())));
        });
    }

    /** A method and path the router serves, as registered ({@code /v1/buckets/{bucket}}). */
    public record Endpoint(String method, String path) {
    }

    /**
     * Every operation the router serves (before-handlers and the like left out), for
     * {@code OpenApiDocumentTest} to hold against {@code /openapi.json}.
     */
    public List<Endpoint> endpoints() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(h -> new Endpoint(h.endpoint.method.name(), h.endpoint.path))
                .filter(e -> Operation.METHODS.contains(e.method()))
                .toList();
    }

    public int start() {
        app.start();
        return app.port();
    }

    /** Marks a response whose error body is already written, so the 404 handler leaves a resource's 404 alone. */
    private static final String ERROR_RENDERED = "loupe.error-rendered";

    static void render(Context ctx, ApiError e) {
        ctx.attribute(ERROR_RENDERED, Boolean.TRUE);
        ObjectNode body = Json.object();
        body.put("success", false);
        body.put("status", e.status());
        ObjectNode error = body.putObject("error");
        error.put("message", e.message());
        error.put("type", e.type());
        error.set("details", Json.tree(e.details()));
        // Mixpeek's search widget reads a public route's error from FastAPI's "detail", not "error.message".
        if (ctx.path().startsWith(PublicRoutes.PREFIX)) body.put("detail", e.message());
        ctx.status(e.status()).contentType("application/json").result(Json.write(body));
    }

    /** Writes a JSON response. */
    static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    @Override
    public void close() {
        app.stop();
    }
}
