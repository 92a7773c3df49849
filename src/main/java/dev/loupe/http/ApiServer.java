package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Json;
import dev.loupe.auth.ApiKeys;
import dev.loupe.blob.BlobStore;
import dev.loupe.catalog.Catalog;
import dev.loupe.config.Settings;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.index.DocumentIndex;
import dev.loupe.ingestion.Ingestion;
import dev.loupe.queue.WorkQueue;
import dev.loupe.retriever.RetrieverExecutor;
import dev.loupe.retriever.RetrieverExplainer;
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
                           ExtractorCatalog extractors, RetrieverExecutor executor, BlobStore sources, BlobStore thumbnails) {
    }

    public ApiServer(Settings settings, Services s) {
        this(settings.host(), settings.port(), 2 * settings.maxBlobBytes() + (1 << 20), new Scopes(s.catalog(), s.keys()), settings, s);
    }

    private ApiServer(String host, int port, long maxRequestBytes, Scopes scopes, Settings settings, Services s) {
        this(host, port, maxRequestBytes, scopes, routes(scopes, settings, s));
        NamespaceRoutes.ensureDefault(s.catalog());
    }

    private static List<Routes> routes(Scopes scopes, Settings settings, Services s) {
        Views views = new Views(settings.publicUrl());
        return List.of(
                new NamespaceRoutes(s.catalog(), scopes),
                new BucketRoutes(s.catalog(), scopes),
                new ObjectRoutes(s.catalog(), scopes, s.sources(), s.queue(), s.ingestion(), settings.maxBlobBytes()),
                new BatchRoutes(s.catalog(), scopes, s.ingestion(), s.queue()),
                new CollectionRoutes(s.catalog(), scopes, s.extractors(), s.ingestion(), s.index()),
                new DocumentRoutes(s.catalog(), scopes, s.index(), views),
                new RetrieverRoutes(s.catalog(), scopes, s.executor(), new RetrieverExplainer(s.index(), s.executor()), views),
                new KeyRoutes(s.keys(), s.catalog(), scopes),
                new ThumbnailRoutes(s.thumbnails()),
                new HealthRoutes(s.catalog(), s.queue(), s.sources(), s.index(), s.extractors(), s.ingestion()),
                new ExtractorRoutes(s.extractors()));
    }

    private ApiServer(String host, int port, long maxRequestBytes, Scopes scopes, List<Routes> resources) {
        this.app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = maxRequestBytes;
            config.startup.showJavalinBanner = false;
            config.routes.before("/v1/*", scopes::authenticate);
            config.routes.get("/health", ctx -> json(ctx, 200, Map.of("status", "ok")));
            for (Routes r : resources) r.register(config.routes);
            config.routes.exception(ApiException.class, (e, ctx) -> render(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) ->
                    render(ctx, new ApiException(e.getStatus(), errorType(e.getStatus()), e.getMessage(), null)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(Level.SEVERE, "unhandled error on " + ctx.method() + " " + ctx.path(), e);
                render(ctx, new ApiException(500, "InternalServerError", "internal error: " + e.getClass().getSimpleName(), null));
            });
            config.routes.error(404, "*", ctx -> {
                if (ctx.result() == null || !ctx.result().contains("\"success\"")) {
                    render(ctx, new ApiException(404, "NotFoundError", "no route for " + ctx.method() + " " + ctx.path(), null));
                }
            });
            config.routes.error(405, "*", ctx ->
                    render(ctx, new ApiException(405, "MethodNotAllowedError", "method " + ctx.method() + " not allowed on " + ctx.path(), null)));
        });
    }

    public int start() {
        app.start();
        return app.port();
    }

    /** Mixpeek's error type for a status Javalin raised itself (an unknown route, a body over the limit). */
    static String errorType(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 401 -> "AuthenticationError";
            case 403 -> "PermissionError";
            case 404 -> "NotFoundError";
            case 405 -> "MethodNotAllowedError";
            case 409 -> "ConflictError";
            case 413 -> "PayloadTooLargeError";
            case 422 -> "ValidationError";
            case 503 -> "ServiceUnavailableError";
            default -> status >= 500 ? "InternalServerError" : "BadRequestError";
        };
    }

    static void render(Context ctx, ApiException e) {
        ObjectNode body = Json.object();
        body.put("success", false);
        body.put("status", e.status());
        ObjectNode error = body.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.set("details", Json.tree(e.details()));
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
