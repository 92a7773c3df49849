package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.RetrieverDefinition;
import dev.loupe.publish.Publications;
import dev.loupe.retriever.ExecutionResult;
import dev.loupe.retriever.InputSchema;
import dev.loupe.retriever.RetrieverExecutor;
import dev.loupe.retriever.RetrieverExplainer;
import dev.loupe.retriever.Stage;
import dev.loupe.retriever.StageCatalog;
import dev.loupe.retriever.StageParser;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /v1/retrievers}: create, list, get, delete, execute (saved and ad hoc), and the
 * stage catalogue.
 */
final class RetrieverRoutes implements ApiServer.Routes {
    private final Catalog catalog;
    private final Scopes scopes;
    private final RetrieverExecutor executor;
    private final RetrieverExplainer explainer;
    private final Views views;
    private final Publications publications;

    RetrieverRoutes(Catalog catalog, Scopes scopes, RetrieverExecutor executor, RetrieverExplainer explainer, Views views,
                    Publications publications) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.executor = executor;
        this.explainer = explainer;
        this.views = views;
        this.publications = publications;
    }

    /** A retriever as Mixpeek shows it, {@code is_published} included. */
    private ObjectNode view(RetrieverDefinition r) {
        ObjectNode n = Views.retriever(r);
        n.put("is_published", publications.ofRetriever(r.retrieverId()).isPresent());
        return n;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/v1/retrievers/stages", ctx -> ApiServer.json(ctx, 200, StageCatalog.describe()));
        r.post("/v1/retrievers/execute", this::executeAdhoc);
        r.post("/v1/retrievers/list", this::list);
        r.post("/v1/retrievers", this::create);
        r.get("/v1/retrievers/{retriever}", this::get);
        r.patch("/v1/retrievers/{retriever}", this::patch);
        r.delete("/v1/retrievers/{retriever}", this::delete);
        r.post("/v1/retrievers/{retriever}/execute", this::execute);
        r.post("/v1/retrievers/{retriever}/execute/explain", this::explain);
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String name = body.requiredName("retriever_name");
        List<Collection> collections = collections(body, scope);
        List<Stage> stages = StageParser.parseAll(body.raw("stages"), "stages");
        JsonNode inputSchema = InputSchema.normalize(body.raw("input_schema"), "input_schema");
        String id = Kind.RETRIEVER.newId();
        String now = Ids.now();
        RetrieverDefinition r = catalog.insert(Kind.RETRIEVER, id, scope.namespaceId(), null, name, new RetrieverDefinition(id,
                scope.namespaceId(), name, body.optionalString("description").orElse(null),
                collections.stream().map(Collection::collectionId).toList(), inputSchema, StageParser.toOpenApi(stages), now, now));
        ObjectNode view = Views.retriever(r);
        ObjectNode out = Json.object();
        out.set("retriever", view);
        // Top-level copies for clients that read the id without unwrapping.
        out.put("retriever_id", r.retrieverId());
        out.put("retriever_name", r.retrieverName());
        ApiServer.json(ctx, 200, out);
    }

    private List<Collection> collections(Body body, Scope scope) {
        String field = body.has("collection_identifiers") ? "collection_identifiers" : "collection_ids";
        List<String> refs = body.strings(field);
        if (refs.isEmpty()) throw body.invalid(field, "a retriever needs at least one collection");
        List<Collection> out = new ArrayList<>();
        for (String ref : refs) {
            out.add(catalog.find(Kind.COLLECTION, scope.namespaceId(), ref)
                    .orElseThrow(() -> body.invalid(field, "collection not found: " + ref)));
        }
        return out;
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = ListQuery.parse(body, Page.from(ctx), List.of("retriever_id", "retriever_name", "description"),
                java.util.Set.of("filters", "sort", "sorts", "search"));
        var result = CatalogListing.list(catalog, Kind.RETRIEVER, scope.namespaceId(), null, query, null,
                rs -> rs.stream().map(this::view).toList());
        ObjectNode out = result.response();
        out.put("total", result.total());
        ApiServer.json(ctx, 200, out);
    }

    private void patch(Context ctx) {
        Scope scope = scopes.of(ctx);
        RetrieverDefinition r = catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String pipeline = "Mixpeek's update does not change a retriever's pipeline; create a new retriever";
        Patch patch = Patch.of(body, java.util.Set.of("retriever_name", "description"), java.util.Map.of(
                "retriever_id", "it is the retriever's identity",
                "collection_ids", pipeline,
                "stages", pipeline,
                "input_schema", pipeline), view(r));
        RetrieverDefinition updated = new RetrieverDefinition(r.retrieverId(), r.namespaceId(), patch.name("retriever_name", r.retrieverName()),
                patch.description(r.description()), r.collectionIds(), r.inputSchema(), r.stages(), r.createdAt(), Ids.now());
        catalog.update(Kind.RETRIEVER, r.retrieverId(), updated.retrieverName(), updated);
        ObjectNode out = Json.object();
        out.set("retriever", view(updated));
        ApiServer.json(ctx, 200, out);
    }

    private void get(Context ctx) {
        Scope scope = scopes.of(ctx);
        ApiServer.json(ctx, 200, view(catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"))));
    }

    private void delete(Context ctx) {
        Scope scope = scopes.of(ctx);
        RetrieverDefinition r = catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        catalog.database().inTransaction(c -> catalog.delete(c, Kind.RETRIEVER, r.retrieverId()));
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }

    private void execute(Context ctx) {
        Scope scope = scopes.of(ctx);
        RetrieverDefinition r = catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        Body body = Body.of(Json.parseRequest(ctx.body()));
        run(ctx, body, r.retrieverId(), collectionsOf(r, scope), r.inputSchema(), StageParser.parseAll(r.stages(), "stages"));
    }

    private void explain(Context ctx) {
        Scope scope = scopes.of(ctx);
        RetrieverDefinition r = catalog.require(Kind.RETRIEVER, scope.namespaceId(), ctx.pathParam("retriever"));
        Body body = Body.of(ctx.body().isBlank() ? Json.object() : Json.parseRequest(ctx.body()));
        ApiServer.json(ctx, 200, explainer.explain(r.retrieverId(), r.retrieverName(), collectionsOf(r, scope),
                StageParser.parseAll(r.stages(), "stages"), body.objectOrEmpty("inputs")));
    }

    private List<Collection> collectionsOf(RetrieverDefinition r, Scope scope) {
        List<Collection> collections = new ArrayList<>();
        for (String id : r.collectionIds()) {
            collections.add(catalog.find(Kind.COLLECTION, scope.namespaceId(), id)
                    .orElseThrow(() -> LoupeException.conflict("retriever's collection " + id + " no longer exists")));
        }
        return collections;
    }

    private void executeAdhoc(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        JsonNode inputSchema = InputSchema.normalize(body.raw("input_schema"), "input_schema");
        run(ctx, body, null, collections(body, scope), inputSchema, StageParser.parseAll(body.raw("stages"), "stages"));
    }

    /** Executes with {@code inputs} and either the seed's {@code limit} or OpenAPI's {@code pagination}. */
    private void run(Context ctx, Body body, String retrieverId, List<Collection> collections, JsonNode inputSchema, List<Stage> stages) {
        ObjectNode inputs = body.objectOrEmpty("inputs");
        int offset = 0;
        int size = 10;
        if (body.has("pagination")) {
            Body p = body.requiredObject("pagination");
            String method = p.optionalString("method").orElse("offset");
            switch (method) {
                case "offset" -> {
                    size = p.optionalInt("page_size", 1, 1000).orElse(10);
                    offset = (p.optionalInt("page_number", 1, 1_000_000).orElse(1) - 1) * size;
                }
                case "cursor" -> {
                    size = p.optionalInt("limit", 1, 1000).orElse(10);
                    offset = p.optionalString("cursor").map(c -> Page.offsetOf(c, "pagination.cursor")).orElse(0);
                }
                default -> throw p.invalid("method", "must be offset or cursor, got '" + method + "'");
            }
        } else {
            size = body.optionalInt("limit", 1, 1000).orElse(10);
            offset = body.optionalInt("offset", 0, 1_000_000).orElse(0);
        }
        boolean vectors = body.optionalBoolean("return_vectors").orElse(true);
        ExecutionResult result = executor.execute(new RetrieverExecutor.Request(retrieverId, collections, inputSchema, stages, inputs, offset, size));
        ApiServer.json(ctx, 200, views.execution(ctx, result, vectors));
    }
}
