package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Kind;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.DocumentPage;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.SortKey;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code /v1/collections/{collection}/documents}: list with filters, sort and pagination; get; delete. */
final class DocumentRoutes implements ApiServer.Routes {
    private final Catalog catalog;
    private final Scopes scopes;
    private final DocumentIndex index;
    private final Views views;

    DocumentRoutes(Catalog catalog, Scopes scopes, DocumentIndex index, Views views) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.index = index;
        this.views = views;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/collections/{collection}/documents/list", this::list);
        r.get("/v1/collections/{collection}/documents/{document}", this::get);
        r.delete("/v1/collections/{collection}/documents/{document}", this::delete);
    }

    private Collection collection(Context ctx) {
        return catalog.require(Kind.COLLECTION, scopes.of(ctx).namespaceId(), ctx.pathParam("collection"));
    }

    private void list(Context ctx) {
        Collection col = collection(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        FilterNode filter = FilterParser.parseStatic(body.raw("filters"), "filters");
        List<SortKey> sort = sort(body.raw("sort"));
        boolean vectors = body.optionalBoolean("return_vectors").orElse(false);
        Page page = Page.from(ctx);
        DocumentPage result = index.list(col.collectionId(), filter, sort, page.offset(), page.limit());
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        List<String> select = body.has("select") ? body.strings("select") : List.of();
        for (IndexedDocument d : result.documents()) results.add(select(views.document(ctx, d, vectors), select));
        out.set("pagination", page.response(result.total()));
        ApiServer.json(ctx, 200, out);
    }

    /** Mixpeek's {@code sort}: {@code {field, direction}} or a list of them. */
    private static List<SortKey> sort(JsonNode raw) {
        List<SortKey> keys = new ArrayList<>();
        if (raw == null) return keys;
        List<JsonNode> items = new ArrayList<>();
        if (raw.isArray()) raw.forEach(items::add);
        else items.add(raw);
        for (int i = 0; i < items.size(); i++) {
            Body s = Body.of(items.get(i), raw.isArray() ? "sort[" + i + "]" : "sort");
            String direction = s.optionalString("direction").orElse("asc").toLowerCase(Locale.ROOT);
            if (!direction.equals("asc") && !direction.equals("desc")) throw s.invalid("direction", "must be asc or desc, got '" + direction + "'");
            keys.add(new SortKey(s.requiredString("field"), direction.equals("desc")));
        }
        return keys;
    }

    private static ObjectNode select(ObjectNode doc, List<String> fields) {
        if (fields.isEmpty()) return doc;
        ObjectNode out = Json.object();
        out.set("document_id", doc.get("document_id"));
        for (String f : fields) if (doc.has(f)) out.set(f, doc.get(f));
        return out;
    }

    private void get(Context ctx) {
        Collection col = collection(ctx);
        String id = ctx.pathParam("document");
        IndexedDocument d = index.get(col.collectionId(), id).orElseThrow(() -> ApiException.notFound("document", id));
        ApiServer.json(ctx, 200, views.document(ctx, d, true));
    }

    private void delete(Context ctx) {
        Collection col = collection(ctx);
        String id = ctx.pathParam("document");
        if (!index.delete(col.collectionId(), id)) throw ApiException.notFound("document", id);
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }
}
