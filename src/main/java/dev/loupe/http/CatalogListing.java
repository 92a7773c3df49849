package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Kind;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Answers a {@link ListQuery} over one kind of catalog resource. A plain listing is paged by
 * the catalog itself; one with filters, sort or search scans the resources in chunks, renders
 * each chunk as the endpoint would return it and streams the results through the query's
 * collector.
 */
final class CatalogListing {
    private static final int CHUNK = 500;

    /** One page of rendered items and how many items matched in all. */
    record Result(List<ObjectNode> items, long total, Page page) {
        /** Mixpeek's list answer, {@code {results, pagination}}, for the endpoint to add its own counts to. */
        ObjectNode response() {
            ObjectNode out = Json.object();
            out.set("results", Json.tree(items));
            out.set("pagination", page.response(total));
            return out;
        }
    }

    private CatalogListing() {}

    /**
     * @param visible  which resources the caller may see at all (namespaces a key may use)
     * @param render   the response items of a chunk, in order (batched so that status lookups are too)
     */
    static <T> Result list(Catalog catalog, Kind<T> kind, String namespaceId, String parentId, ListQuery query,
                           Predicate<T> visible, Function<List<T>, List<ObjectNode>> render) {
        Page page = query.page();
        boolean everyVisible = visible == null;
        if (query.plain() && everyVisible) {
            List<T> rows = catalog.list(kind, namespaceId, parentId, page.limit(), page.offset());
            return new Result(render.apply(rows), catalog.count(kind, namespaceId, parentId), page);
        }
        ListQuery.Collector collector = query.collector();
        catalog.scan(kind, namespaceId, parentId, CHUNK, rows -> {
            List<T> shown = everyVisible ? rows : rows.stream().filter(visible).toList();
            for (ObjectNode item : render.apply(shown)) collector.accept(item);
        });
        return new Result(collector.page(), collector.total(), page);
    }
}
