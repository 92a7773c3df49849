package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Kind;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.DocumentPage;
import dev.loupe.index.GroupPage;
import dev.loupe.index.GroupRequest;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.SortKey;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code /v1/collections/{collection}/documents}: list with filters, sort, grouping, selection and pagination; get; patch and put; delete. */
final class DocumentRoutes implements ApiServer.Routes {
    /** How many of each group's documents a grouped listing returns; the group's count says how many it has. */
    static final int DOCUMENTS_PER_GROUP = 100;
    /** The most distinct values a grouped field may have among the listed documents: each is counted in memory. */
    static final int MAX_GROUPS = 100_000;
    static final int MAX_SELECT = 256;

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
        r.patch("/v1/collections/{collection}/documents/{document}", ctx -> update(ctx, DocumentPatch.Mode.MERGE));
        r.put("/v1/collections/{collection}/documents/{document}", ctx -> update(ctx, DocumentPatch.Mode.REPLACE));
        r.delete("/v1/collections/{collection}/documents/{document}", this::delete);
    }

    private Collection collection(Context ctx) {
        return catalog.require(Kind.COLLECTION, scopes.of(ctx).namespaceId(), ctx.pathParam("collection"));
    }

    private void list(Context ctx) {
        Collection col = collection(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        checkListFields(body);
        FilterNode filter = FilterParser.parseStatic(body.raw("filters"), "filters");
        List<SortKey> sort = ListQuery.sortKeys(body.raw("sort"), "sort");
        boolean vectors = body.optionalBoolean("return_vectors").orElse(false);
        List<String> select = body.has("select") && !body.raw("select").isNull() ? selection(body) : List.of();
        Page page = Page.from(ctx, body);
        JsonNode groupBy = body.raw("group_by");
        if (groupBy != null && !groupBy.isNull()) {
            if (!groupBy.isTextual() || groupBy.asText().isBlank()) throw body.invalid("group_by", "must be a field name (a dot path), got " + Body.kind(groupBy));
            ApiServer.json(ctx, 200, groups(ctx, col, new GroupRequest(filter, groupBy.asText(), sort, page.offset(), page.limit(),
                    DOCUMENTS_PER_GROUP, MAX_GROUPS), page, vectors, select));
            return;
        }
        DocumentPage result = index.list(col.collectionId(), filter, sort, page.offset(), page.limit());
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (IndexedDocument d : result.documents()) results.add(select(views.document(ctx, d, vectors), select));
        out.set("pagination", page.response(result.total()));
        ApiServer.json(ctx, 200, out);
    }

    /**
     * Mixpeek's grouped listing: {@code groups: [{group_key, count, documents}]}, paged by
     * group (the pagination's total counts groups), with {@code group_by_field} and {@code stats}.
     */
    private ObjectNode groups(Context ctx, Collection col, GroupRequest request, Page page, boolean vectors, List<String> select) {
        GroupPage result;
        try {
            result = index.group(col.collectionId(), request);
        } catch (IllegalArgumentException tooMany) {
            throw LoupeException.invalid("group_by", tooMany.getMessage());
        }
        ObjectNode out = Json.object();
        ArrayNode groups = out.putArray("groups");
        for (GroupPage.Group g : result.groups()) {
            ObjectNode group = groups.addObject();
            group.set("group_key", g.key());
            group.put("count", g.count());
            ArrayNode docs = group.putArray("documents");
            for (IndexedDocument d : g.documents()) docs.add(select(views.document(ctx, d, vectors), select));
        }
        out.put("group_by_field", request.field());
        out.set("pagination", page.response(result.totalGroups()));
        ObjectNode stats = out.putObject("stats");
        stats.put("total_documents", result.totalDocuments());
        stats.put("total_groups", result.totalGroups());
        if (result.totalGroups() > 0) stats.put("avg_documents_per_group", (double) result.totalDocuments() / result.totalGroups());
        return out;
    }

    private static List<String> selection(Body body) {
        List<String> paths = body.strings("select");
        if (paths.size() > MAX_SELECT) throw body.invalid("select", "names " + paths.size() + " fields; at most " + MAX_SELECT + " are allowed");
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).isBlank()) throw LoupeException.invalid("select[" + i + "]", "must be a field name (a dot path)");
        }
        return paths;
    }

    private static final java.util.Set<String> LIST_FIELDS = java.util.Set.of("filters", "sort", "select", "group_by", "return_vectors",
            "return_url", "cursor");

    /**
     * What ListDocumentsRequest asks that this listing does not do is refused, not ignored.
     * Thumbnail URLs are always returned, so {@code return_url} is accepted; a body {@code cursor}
     * pages like the query's.
     */
    private static void checkListFields(Body body) {
        for (var it = body.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (field.equals("search")) {
                throw body.invalid("search", "free-text search of a document listing is not supported; filter with the 'text' operator"
                        + " on a field, or run a retriever with a lexical search");
            }
            if (!LIST_FIELDS.contains(field)) {
                throw body.invalid(field, "is not supported by this list endpoint; supported: " + new java.util.TreeSet<>(LIST_FIELDS));
            }
        }
        body.optionalBoolean("return_url");
    }

    /** The document with only the selected fields, and always its {@code document_id} and {@code collection_id}, which say what it is. */
    private static ObjectNode select(ObjectNode doc, List<String> paths) {
        return ListQuery.selected(doc, List.of("document_id", "collection_id"), paths);
    }

    private void get(Context ctx) {
        Collection col = collection(ctx);
        String id = ctx.pathParam("document");
        IndexedDocument d = index.get(col.collectionId(), id).orElseThrow(() -> LoupeException.notFound("document", id));
        ApiServer.json(ctx, 200, views.document(ctx, d, true));
    }

    /** PATCH merges the body into the document's fields, PUT replaces them ({@link DocumentPatch}); answers the document. */
    private void update(Context ctx, DocumentPatch.Mode mode) {
        Collection col = collection(ctx);
        String id = ctx.pathParam("document");
        IndexedDocument current = index.get(col.collectionId(), id).orElseThrow(() -> LoupeException.notFound("document", id));
        // Checked against the document read before the update: what it is checked on (ids, lineage, vectors) no update changes.
        DocumentPatch patch = DocumentPatch.parse(Json.parseRequest(ctx.body()), mode, views.document(ctx, current, true), current.vectors().keySet());
        IndexedDocument updated = index.updateFields(col.collectionId(), id, patch::applyTo).orElseThrow(() -> LoupeException.notFound("document", id));
        ApiServer.json(ctx, 200, views.document(ctx, updated, true));
    }

    private void delete(Context ctx) {
        Collection col = collection(ctx);
        String id = ctx.pathParam("document");
        if (!index.delete(col.collectionId(), id)) throw LoupeException.notFound("document", id);
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }
}
