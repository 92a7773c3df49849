package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.RetrieverDefinition;
import dev.loupe.document.FieldPath;
import dev.loupe.index.ScoredDocument;
import dev.loupe.publish.Publication;
import dev.loupe.publish.Publications;
import dev.loupe.publish.RateLimiter;
import dev.loupe.retriever.ExecutionResult;
import dev.loupe.retriever.RetrieverExecutor;
import dev.loupe.retriever.Stage;
import dev.loupe.retriever.StageParser;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A published retriever as web pages reach it: {@code /v1/public/retrievers/{public_name}/execute}
 * and {@code /config}, outside the API keys, each request carrying the publication's public key in
 * {@code X-Public-API-Key}. A key executes and describes its own retriever and nothing else. These
 * routes, and only these, answer cross-origin requests (any origin, no cookies), so Mixpeek's
 * search widget works from any site.
 *
 * <p>Where Mixpeek's search widget and Mixpeek's document disagree, these routes follow the widget
 * ({@code ../shared/clients/mixpeek-searchkit/src/api/client.ts}): {@code settings.limit} sets the
 * number of results; {@code POST /v1/public/retrievers/execute} (no name) runs the key's own
 * retriever; errors carry FastAPI's {@code detail} beside Mixpeek's {@code error}; and with
 * {@code Accept: text/event-stream} (or {@code "stream": true}) the answer is server-sent events,
 * one {@code data: {json}} line each: per stage {@code stage_start} and {@code stage_complete}
 * (with its statistics and its best documents), then {@code execution_complete} with the results,
 * then {@code data: [DONE]}; a failure mid-way is {@code stage_error} and {@code execution_error}.
 *
 * <pre>
 * curl -H "X-Public-API-Key: ret_sk_…" -H "Content-Type: application/json" \
 *      -d '{"inputs": {"query": "red bag"}, "settings": {"limit": 5}}' http://localhost:8080/v1/public/retrievers/shop-search/execute
 * </pre>
 */
final class PublicRoutes implements ApiServer.Routes {
    private static final Logger LOG = Logger.getLogger(PublicRoutes.class.getName());
    static final String PREFIX = "/v1/public/";
    static final String KEY_HEADER = "X-Public-API-Key";
    private static final int MAX_BODY_CHARS = 1 << 20;
    private static final Set<String> EXECUTE_FIELDS = Set.of("inputs", "settings", "limit", "offset", "stream");

    private final Catalog catalog;
    private final Publications publications;
    private final RetrieverExecutor executor;
    private final Views views;
    private final RateLimiter keyLimiter;
    private final RateLimiter addressLimiter;

    /**
     * @param keyLimiter     counts each public key's executions (one counter per publication and window)
     * @param addressLimiter counts executions per client address where a publication asks for it; kept
     *                       apart so that many addresses can never push a key's counters out
     */
    PublicRoutes(Catalog catalog, Publications publications, RetrieverExecutor executor, Views views,
                 RateLimiter keyLimiter, RateLimiter addressLimiter) {
        this.catalog = catalog;
        this.publications = publications;
        this.executor = executor;
        this.views = views;
        this.keyLimiter = keyLimiter;
        this.addressLimiter = addressLimiter;
    }

    @Override
    public void register(RoutesConfig r) {
        r.before(PREFIX + "*", PublicRoutes::allowCrossOrigin);
        for (String path : List.of(PREFIX + "retrievers/execute", PREFIX + "retrievers/{public_name}/execute", PREFIX + "retrievers/{public_name}/config")) {
            r.options(path, ctx -> ctx.status(204));
        }
        r.post(PREFIX + "retrievers/execute", ctx -> execute(ctx, publication(ctx, null)));
        r.post(PREFIX + "retrievers/{public_name}/execute", ctx -> execute(ctx, publication(ctx, ctx.pathParam("public_name"))));
        r.get(PREFIX + "retrievers/{public_name}/config", this::config);
    }

    /**
     * CORS for the public routes: any origin may call them, without credentials (the key travels
     * in a header a page sets), and read {@code Retry-After} from a 429.
     */
    private static void allowCrossOrigin(Context ctx) {
        ctx.header("Access-Control-Allow-Origin", "*");
        ctx.header("Access-Control-Expose-Headers", "Retry-After");
        if (ctx.method().name().equals("OPTIONS")) {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            ctx.header("Access-Control-Allow-Headers", "Content-Type, Accept, " + KEY_HEADER + ", X-Retriever-Password");
            ctx.header("Access-Control-Max-Age", "600");
        }
    }

    /** The publication the request's public key opens, which must be {@code publicName}'s (any, when null). */
    private Publication publication(Context ctx, String publicName) {
        String secret = ctx.header(KEY_HEADER);
        if (secret == null || secret.isBlank()) throw LoupeException.unauthenticated("missing " + KEY_HEADER + " header; send the public key publishing gave");
        if (secret.length() > 200) throw LoupeException.unauthenticated("invalid public key");
        Publication p = publications.authenticate(secret.trim()).orElseThrow(() -> LoupeException.unauthenticated("invalid or revoked public key"));
        if (publicName != null && !p.publicName().equals(publicName)) {
            throw LoupeException.forbidden("this public key is for another published retriever, not '" + abbreviated(publicName) + "'");
        }
        if (!p.active()) throw LoupeException.forbidden("published retriever '" + p.publicName() + "' is not active");
        return p;
    }

    private void config(Context ctx) {
        Publication p = publication(ctx, ctx.pathParam("public_name"));
        ObjectNode out = Json.object();
        out.put("public_name", p.publicName());
        out.putNull("public_api_key");
        out.set("display_config", p.displayConfig());
        out.put("password_protected", false);
        out.set("retriever_metadata", p.retrieverMetadata());
        ApiServer.json(ctx, 200, out);
    }

    private void execute(Context ctx, Publication p) {
        String raw = ctx.body();
        if (raw.length() > MAX_BODY_CHARS) throw LoupeException.tooLarge("a public execution request may be at most " + MAX_BODY_CHARS + " characters");
        Body body = Body.of(raw.isBlank() ? Json.object() : Json.parseRequest(raw));
        if (!body.node().isObject()) throw LoupeException.invalid("body", "must be a JSON object");
        body.onlyFields(EXECUTE_FIELDS, "a public execution");
        ObjectNode inputs = body.objectOrEmpty("inputs");
        int max = p.rateLimit().maxResultsPerQuery();
        // The widget sends settings.limit; a limit above the publication's max_results_per_query is cut to it.
        int limit = body.optionalObject("settings").map(s -> {
            if (!s.node().isObject()) throw LoupeException.invalid("settings", "must be a JSON object, got " + Body.kind(s.node()));
            s.onlyFields(Set.of("limit"), "a public execution's settings");
            return s.optionalInt("limit", 1, 1000);
        }).orElse(java.util.Optional.empty()).or(() -> body.optionalInt("limit", 1, 1000)).orElse(10);
        int size = Math.min(limit, max);
        int offset = body.optionalInt("offset", 0, 10_000).orElse(0);
        boolean stream = body.optionalBoolean("stream").orElse(false) || accepts(ctx, "text/event-stream");

        RetrieverDefinition r = catalog.find(Kind.RETRIEVER, p.namespaceId(), p.retrieverId())
                .orElseThrow(() -> LoupeException.notFound("published retriever", p.publicName()));
        List<Collection> collections = new ArrayList<>();
        for (String id : r.collectionIds()) {
            collections.add(catalog.find(Kind.COLLECTION, p.namespaceId(), id)
                    .orElseThrow(() -> LoupeException.conflict("the retriever's collection " + id + " no longer exists")));
        }
        List<Stage> stages = StageParser.parseAll(r.stages(), "stages");
        count(ctx, p);
        var request = new RetrieverExecutor.Request(r.retrieverId(), collections, r.inputSchema(), stages, inputs, offset, size);
        if (stream) {
            stream(ctx, p, request);
        } else {
            ExecutionResult result = executor.execute(request);
            ObjectNode out = Json.object();
            out.put("execution_id", result.executionId());
            out.put("status", "COMPLETED");
            out.set("documents", documents(ctx, p, result.page(), size));
            out.set("pagination", new Page(result.offset(), result.pageSize()).response(result.total()));
            ObjectNode stats = out.putObject("stage_statistics");
            ObjectNode byStage = stats.putObject("stages");
            result.stages().forEach((name, s) -> byStage.set(name, statistics(s)));
            stats.put("total_time_ms", result.totalMillis());
            ApiServer.json(ctx, 200, out);
        }
    }

    /**
     * Counts the execution against the caller's address's limit (where asked) and the key's; a 429
     * when one is full. The address comes first, so that one address over its limit spends none of
     * the key's budget, which all of the site's visitors share.
     */
    private void count(Context ctx, Publication p) {
        // The connection's address, not X-Forwarded-For, which any caller can write.
        var refused = addressLimiter.acquire(p.publicId() + "@" + ctx.req().getRemoteAddr(), p.rateLimit().addressWindows());
        if (refused.isEmpty()) refused = keyLimiter.acquire(p.publicId(), p.rateLimit().keyWindows());
        refused.ifPresent(f -> {
            throw LoupeException.rateLimited("published retriever '" + p.publicName() + "' allows " + f.window().limit() + " executions per "
                    + f.window().name() + "; retry in " + f.retryAfterSeconds() + " s", f.retryAfterSeconds());
        });
    }

    /**
     * Runs the execution, sending each stage's events as it ends. Nothing is written before the first
     * stage starts, so a request refused while its inputs are checked still gets a plain JSON error.
     */
    private void stream(Context ctx, Publication p, RetrieverExecutor.Request request) {
        String executionId = Ids.next("exec_");
        Events events = new Events(ctx);
        int total = request.stages().size();
        try {
            ExecutionResult result = executor.execute(request, new RetrieverExecutor.StageListener() {
                @Override
                public void started(int index, Stage stage, int totalStages) {
                    events.send(event("stage_start", executionId, index, stage, total));
                }

                @Override
                public void completed(int index, Stage stage, ExecutionResult.StageStatistics statistics, List<ScoredDocument> output) {
                    ObjectNode e = event("stage_complete", executionId, index, stage, total);
                    e.set("statistics", statistics(statistics));
                    e.set("documents", documents(ctx, p, output, request.pageSize()));
                    events.send(e);
                }

                @Override
                public void failed(int index, Stage stage, RuntimeException error) {
                    ObjectNode e = event("stage_error", executionId, index, stage, total);
                    e.put("error", message(error));
                    events.send(e);
                }
            });
            ObjectNode done = Json.object();
            done.put("event_type", "execution_complete");
            done.put("execution_id", executionId);
            done.put("total_stages", total);
            done.set("documents", documents(ctx, p, result.page(), request.pageSize()));
            done.set("pagination", new Page(result.offset(), result.pageSize()).response(result.total()));
            events.send(done);
            events.done();
        } catch (UncheckedIOException e) {
            // The page went away mid-stream; the execution stopped at its next event.
            LOG.log(Level.FINE, "a public stream's client went away", e);
        } catch (RuntimeException e) {
            if (!events.started()) throw e;
            ObjectNode failed = Json.object();
            failed.put("event_type", "execution_error");
            failed.put("execution_id", executionId);
            failed.put("error", message(e));
            events.send(failed);
            events.done();
        }
    }

    private static String message(RuntimeException e) {
        if (e instanceof LoupeException) return e.getMessage();
        LOG.log(Level.WARNING, "a public execution failed", e);
        return "internal error: " + e.getClass().getSimpleName();
    }

    private static ObjectNode event(String type, String executionId, int index, Stage stage, int total) {
        ObjectNode e = Json.object();
        e.put("event_type", type);
        e.put("execution_id", executionId);
        e.put("stage_name", stage.name());
        e.put("stage_id", stage.stageId());
        e.put("stage_index", index);
        e.put("total_stages", total);
        return e;
    }

    private static ObjectNode statistics(ExecutionResult.StageStatistics s) {
        ObjectNode n = Json.object();
        n.put("input_count", s.inputCount());
        n.put("output_count", s.outputCount());
        n.put("duration_ms", s.durationMillis());
        n.put("efficiency", s.inputCount() == 0 ? 0.0 : (double) s.outputCount() / s.inputCount());
        return n;
    }

    /**
     * The first {@code max} documents as the public sees them: {@code document_id}, {@code score},
     * the {@code exposed_fields} (at their paths) and each {@code field_mappings} slot; never vectors.
     */
    private ArrayNode documents(Context ctx, Publication p, List<ScoredDocument> hits, int max) {
        List<List<String>> exposed = p.exposedFields().stream().map(f -> FieldPath.parse(f).segments()).toList();
        List<Map.Entry<String, List<String>>> slots = new ArrayList<>();
        p.displayConfig().path("field_mappings").properties()
                .forEach(e -> slots.add(Map.entry(e.getKey(), FieldPath.parse(e.getValue().asText()).segments())));
        ArrayNode out = Json.object().arrayNode();
        for (ScoredDocument h : hits.subList(0, Math.min(max, hits.size()))) {
            ObjectNode full = views.document(ctx, h.document(), false);
            ObjectNode d = out.addObject();
            d.put("document_id", h.document().documentId());
            d.put("score", h.score());
            for (List<String> path : exposed) {
                JsonNode v = at(full, path);
                if (v != null) put(d, path, v);
            }
            for (Map.Entry<String, List<String>> slot : slots) {
                JsonNode v = at(full, slot.getValue());
                if (v != null) d.set(slot.getKey(), v);
            }
        }
        return out;
    }

    private static JsonNode at(JsonNode root, List<String> path) {
        JsonNode n = root;
        for (String segment : path) {
            if (n == null || !n.isObject()) return null;
            n = n.get(segment);
        }
        return n;
    }

    private static void put(ObjectNode root, List<String> path, JsonNode value) {
        ObjectNode n = root;
        for (String segment : path.subList(0, path.size() - 1)) {
            n = n.get(segment) instanceof ObjectNode child ? child : n.putObject(segment);
        }
        n.set(path.getLast(), value);
    }

    private static boolean accepts(Context ctx, String type) {
        String accept = ctx.header("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(type);
    }

    private static String abbreviated(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** A server-sent event stream, begun (status, headers) with its first event and flushed after each. */
    private static final class Events {
        private final Context ctx;
        private OutputStream out;

        Events(Context ctx) {
            this.ctx = ctx;
        }

        boolean started() {
            return out != null;
        }

        void send(JsonNode event) {
            write("data: " + Json.write(event) + "\n\n");
        }

        void done() {
            write("data: [DONE]\n\n");
        }

        private void write(String text) {
            try {
                if (out == null) {
                    ctx.status(200);
                    ctx.res().setContentType("text/event-stream;charset=utf-8");
                    ctx.res().setHeader("Cache-Control", "no-cache");
                    ctx.res().setHeader("X-Accel-Buffering", "no"); // a proxy in front must pass events on at once
                    out = ctx.res().getOutputStream();
                }
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
