package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.filter.FilterValues;
import dev.loupe.index.SortKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * What a caller asks of a catalog list endpoint, in the body shape Mixpeek's list requests
 * share: {@code filters} (the filter DSL, over the fields of the response items), {@code sort}
 * (one {@code {field, direction}} or a list; retrievers say {@code sorts}), {@code search} (a
 * substring of the endpoint's text fields), {@code case_sensitive} (false by default, for
 * filters and search alike) and {@code select} (dot paths to keep in each item).
 *
 * <p>Items are matched against the very JSON the endpoint returns, so a field a client can
 * read is a field it can filter and sort on. A query is evaluated by streaming the items
 * through a {@link Collector}, which keeps only the requested page (or, when sorting, the best
 * {@code offset + limit} items), so a listing never holds a whole bucket in memory.
 */
record ListQuery(FilterNode filter, List<SortKey> sort, Optional<String> search, boolean caseSensitive,
                 List<String> select, List<String> searchFields, Page page) {
    /** Sorting keeps {@code offset + limit} items in memory, so the offset of a sorted listing is bounded. */
    static final int MAX_SORTED_OFFSET = 100_000;
    static final int MAX_SEARCH_LENGTH = 1_000;

    ListQuery {
        sort = List.copyOf(sort);
        select = List.copyOf(select);
        searchFields = List.copyOf(searchFields);
    }

    /**
     * Reads the list request. Fields outside {@code allowed} are a 422 naming them, so a
     * client never believes a filter was applied that was not.
     */
    static ListQuery parse(Body body, Page page, List<String> searchFields, Set<String> allowed) {
        for (var it = body.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!allowed.contains(field) && !PAGING.contains(field)) {
                throw body.invalid(field, "is not supported by this list endpoint; supported: " + new java.util.TreeSet<>(allowed));
            }
        }
        FilterNode filter = allowed.contains("filters") ? FilterParser.parseStatic(body.raw("filters"), "filters") : FilterNode.ALL;
        List<SortKey> sort = new ArrayList<>();
        if (allowed.contains("sort")) sort.addAll(sortKeys(body.raw("sort"), "sort"));
        if (allowed.contains("sorts")) sort.addAll(sortKeys(body.raw("sorts"), "sorts"));
        Optional<String> search = allowed.contains("search") ? body.optionalString("search").filter(s -> !s.isBlank()) : Optional.empty();
        search.ifPresent(s -> {
            if (s.length() > MAX_SEARCH_LENGTH) throw body.invalid("search", "must be at most " + MAX_SEARCH_LENGTH + " characters");
        });
        boolean caseSensitive = body.optionalBoolean("case_sensitive").orElse(false);
        List<String> select = allowed.contains("select") && body.has("select") ? body.strings("select") : List.of();
        if (!sort.isEmpty() && page.offset() > MAX_SORTED_OFFSET) {
            throw body.invalid("offset", "a sorted listing reaches at most offset " + MAX_SORTED_OFFSET + "; narrow it with filters");
        }
        FilterNode matched = caseSensitive ? filter : lowerValues(filter);
        return new ListQuery(matched, sort, search, caseSensitive, select, searchFields, page);
    }

    /** Paging fields some list requests carry in the body; {@link Page#from(io.javalin.http.Context, Body)} reads them. */
    private static final Set<String> PAGING = Set.of("limit", "offset", "case_sensitive", "include_total");

    /** This query narrowed by one more condition, which an endpoint derives from a field of its own ({@code status}). */
    ListQuery and(FilterNode extra) {
        FilterNode added = caseSensitive ? extra : lowerValues(extra);
        FilterNode both = filter instanceof FilterNode.All ? added : new FilterNode.And(List.of(filter, added));
        return new ListQuery(both, sort, search, caseSensitive, select, searchFields, page);
    }

    /** Whether the listing is the plain one, which the catalog can page by itself. */
    boolean plain() {
        return filter instanceof FilterNode.All && sort.isEmpty() && search.isEmpty();
    }

    /** Mixpeek's sort: one {@code {field, direction}} or a list of them; direction asc unless told. */
    static List<SortKey> sortKeys(JsonNode raw, String field) {
        List<SortKey> keys = new ArrayList<>();
        if (raw == null || raw.isNull()) return keys;
        List<JsonNode> items = new ArrayList<>();
        if (raw.isArray()) raw.forEach(items::add);
        else items.add(raw);
        for (int i = 0; i < items.size(); i++) {
            Body s = Body.of(items.get(i), raw.isArray() ? field + "[" + i + "]" : field);
            String direction = s.optionalString("direction").orElse("asc").toLowerCase(Locale.ROOT);
            if (!direction.equals("asc") && !direction.equals("desc")) {
                throw s.invalid("direction", "must be asc or desc, got '" + direction + "'");
            }
            String path = s.requiredString("field").strip();
            if (path.isEmpty()) throw s.invalid("field", "must not be empty");
            keys.add(new SortKey(path, direction.equals("desc")));
        }
        return keys;
    }

    boolean matches(ObjectNode item) {
        JsonNode seen = caseSensitive ? item : lower(item);
        if (!FilterMatcher.matches(filter, seen)) return false;
        if (search.isEmpty()) return true;
        String needle = caseSensitive ? search.get() : search.get().toLowerCase(Locale.ROOT);
        for (String path : searchFields) {
            for (JsonNode v : FilterMatcher.values(seen, path)) {
                if (containsText(v, needle)) return true;
            }
        }
        return false;
    }

    private static boolean containsText(JsonNode v, String needle) {
        if (v.isTextual()) return v.asText().contains(needle);
        if (v.isNumber()) return FilterValues.asText(v).contains(needle);
        if (v.isContainerNode()) {
            for (JsonNode child : v) if (containsText(child, needle)) return true;
        }
        return false;
    }

    /** The item as the caller selected it: the identifying fields always, then each selected path. */
    ObjectNode project(ObjectNode item, List<String> alwaysKept) {
        return selected(item, alwaysKept, select);
    }

    /**
     * Only the fields at {@code paths} (dot paths reach into objects; a missing one is left out),
     * after the {@code alwaysKept} fields that say what the item is; all of it when no path is given.
     */
    static ObjectNode selected(ObjectNode item, List<String> alwaysKept, List<String> paths) {
        if (paths.isEmpty()) return item;
        ObjectNode out = Json.object();
        for (String keep : alwaysKept) if (item.has(keep)) out.set(keep, item.get(keep));
        for (String path : paths) {
            String[] parts = path.split("\\.");
            JsonNode value = item;
            for (int i = 0; i < parts.length && value != null; i++) value = value.isObject() ? value.get(parts[i]) : null;
            if (value == null) continue;
            ObjectNode into = out;
            // Each parent on the way is an object in the item, so it is one here too.
            for (int i = 0; i < parts.length - 1; i++) {
                into = into.get(parts[i]) instanceof ObjectNode o ? o : into.putObject(parts[i]);
            }
            into.set(parts[parts.length - 1], value.deepCopy());
        }
        return out;
    }

    Collector collector() {
        return new Collector(this);
    }

    /** Receives items in catalog order and keeps the page the query asks for. */
    static final class Collector {
        private final ListQuery query;
        private final Comparator<Ranked> order;
        private final PriorityQueue<Ranked> best;
        private final List<ObjectNode> window = new ArrayList<>();
        private long matched;

        private record Ranked(ObjectNode item, long position) {
        }

        private Collector(ListQuery query) {
            this.query = query;
            Comparator<Ranked> cmp = (a, b) -> 0;
            for (SortKey key : query.sort()) {
                Comparator<Ranked> byKey = (a, b) -> compare(a.item(), b.item(), key);
                cmp = cmp.thenComparing(byKey);
            }
            this.order = cmp.thenComparingLong(Ranked::position);
            // A max-heap on the order: its head is the worst item kept, dropped when a better one arrives.
            this.best = new PriorityQueue<>(order.reversed());
        }

        void accept(ObjectNode item) {
            if (!query.matches(item)) return;
            long position = matched++;
            Page page = query.page();
            if (query.sort().isEmpty()) {
                if (position >= page.offset() && window.size() < page.limit()) window.add(item);
                return;
            }
            int keep = page.offset() + page.limit();
            if (keep == 0) return;
            Ranked r = new Ranked(item, position);
            if (best.size() < keep) {
                best.add(r);
            } else if (order.compare(r, best.peek()) < 0) {
                best.poll();
                best.add(r);
            }
        }

        long total() {
            return matched;
        }

        /** The requested page, in order. */
        List<ObjectNode> page() {
            if (query.sort().isEmpty()) return window;
            List<Ranked> all = new ArrayList<>(best);
            all.sort(order);
            return all.stream().skip(query.page().offset()).limit(query.page().limit()).map(Ranked::item).toList();
        }

        private int compare(ObjectNode a, ObjectNode b, SortKey key) {
            JsonNode x = first(a, key.field());
            JsonNode y = first(b, key.field());
            // Missing values sort last whatever the direction, as in the document index.
            if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
            int c;
            if (x.isNumber() && y.isNumber()) c = Double.compare(x.asDouble(), y.asDouble());
            else if (x.isBoolean() && y.isBoolean()) c = Boolean.compare(x.asBoolean(), y.asBoolean());
            else c = x.asText().compareTo(y.asText());
            return key.descending() ? -c : c;
        }

        private static JsonNode first(ObjectNode item, String path) {
            for (JsonNode v : FilterMatcher.values(item, path)) if (!v.isNull() && v.isValueNode()) return v;
            return null;
        }
    }

    /** The item with its text lower-cased, which case-insensitive filters and searches see. */
    private static JsonNode lower(JsonNode node) {
        return switch (node) {
            case TextNode t -> TextNode.valueOf(t.asText().toLowerCase(Locale.ROOT));
            case ObjectNode o -> {
                ObjectNode out = Json.object();
                for (Map.Entry<String, JsonNode> e : o.properties()) out.set(e.getKey(), lower(e.getValue()));
                yield out;
            }
            case ArrayNode a -> {
                ArrayNode out = Json.array();
                for (JsonNode child : a) out.add(lower(child));
                yield out;
            }
            default -> node;
        };
    }

    /**
     * The filter with its values lower-cased, to meet lower-cased items. A regular expression
     * keeps its pattern, which lower-casing could change ({@code \S} is not {@code \s}); it is
     * in Lucene's syntax, which has no {@code (?i)}: match lower case there.
     */
    private static FilterNode lowerValues(FilterNode node) {
        return switch (node) {
            case FilterNode.All a -> a;
            case FilterNode.And and -> new FilterNode.And(and.children().stream().map(ListQuery::lowerValues).toList());
            case FilterNode.Or or -> new FilterNode.Or(or.children().stream().map(ListQuery::lowerValues).toList());
            case FilterNode.Not not -> new FilterNode.Not(not.children().stream().map(ListQuery::lowerValues).toList());
            case FilterNode.Condition c -> c.operator() == FilterNode.Operator.REGEX ? c
                    : new FilterNode.Condition(c.field(), c.operator(), lower(c.value()));
        };
    }
}
