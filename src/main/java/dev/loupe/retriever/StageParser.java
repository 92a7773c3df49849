package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.document.FieldPath;
import dev.loupe.filter.FilterParser;
import dev.loupe.filter.FilterTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads retriever stages in every shape clients send and writes them back in the
 * OpenAPI one:
 * <pre>
 * {stage_name, stage_type?, config: {stage_id, parameters}}      OpenAPI
 * {stage_name?, stage_type, stage_id, parameters}                legacy
 * </pre>
 * {@code feature_search} parameters may be {@code searches: [...]} or one flat search
 * ({@code feature_uri}, {@code query}, {@code top_k}); a query may be a bare string
 * (text) or {@code {input_mode, value}}.
 */
public final class StageParser {
    private StageParser() {}

    public static List<Stage> parseAll(JsonNode stages, String path) {
        if (stages == null || !stages.isArray()) throw LoupeException.invalid(path, "must be an array of stages");
        if (stages.isEmpty()) throw LoupeException.invalid(path, "a retriever needs at least one stage");
        List<Stage> out = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) out.add(parse(stages.get(i), path + "[" + i + "]"));
        return out;
    }

    public static Stage parse(JsonNode node, String path) {
        Body stage = Body.of(node, path);
        Body config = stage.optionalObject("config").orElse(stage);
        String stageId = config.optionalString("stage_id").or(() -> stage.optionalString("stage_id"))
                .orElseThrow(() -> LoupeException.invalid(path + ".config.stage_id", "is required"));
        String name = stage.optionalString("stage_name").orElse(stageId);
        Body params = config.optionalObject("parameters").orElseGet(() -> Body.of(Json.object(), config.path() + ".parameters"));
        StageKind kind = StageKind.byId(stageId).orElseThrow(() -> LoupeException.invalid(path + ".config.stage_id",
                "unknown stage '" + stageId + "'; available: " + StageCatalog.stageIds()));
        StageCatalog.validate(kind, params.node(), params.path());
        try {
            return switch (kind) {
                case FEATURE_SEARCH -> featureSearch(name, params, config);
                case ATTRIBUTE_FILTER -> {
                    JsonNode filter = params.has("filters") ? params.raw("filters") : params.node();
                    // Parsed once; dynamic values and templates are bound at each execution.
                    yield new Stage.AttributeFilter(name, filter, FilterParser.tree(filter, params.has("filters") ? params.path() + ".filters" : params.path()));
                }
                case SORT_ATTRIBUTE -> new Stage.SortAttribute(name, fieldPath(params, "field", "sort_field"), descending(params, false));
                case SORT_RELEVANCE -> new Stage.SortRelevance(name, descending(params, true));
                case LIMIT -> new Stage.Limit(name, params.optionalInt("limit", 0, 100_000).orElseThrow(() -> params.invalid("limit", "is required")),
                        params.optionalInt("offset", 0, 1_000_000).orElse(0));
                case DEDUPLICATE -> new Stage.Deduplicate(name, fieldPath(params, "field", "dedup_field"));
                case GROUP_BY -> new Stage.GroupBy(name, fieldPath(params, "field", "group_by_field"),
                        params.optionalInt("max_per_group", 1, 10_000).or(() -> params.optionalInt("limit_per_group", 1, 10_000)).orElse(1),
                        params.optionalInt("limit", 1, 100_000).or(() -> params.optionalInt("max_groups", 1, 100_000)).orElse(100_000));
                case SCORE_NORMALIZE -> {
                    yield new Stage.ScoreNormalize(name, params.choice("method", Stage.Normalization.MINMAX));
                }
                case SAMPLE -> new Stage.Sample(name, params.optionalInt("size", 0, 100_000).or(() -> params.optionalInt("n", 0, 100_000))
                        .or(() -> params.optionalInt("sample_size", 0, 100_000)).orElseThrow(() -> params.invalid("size", "is required")),
                        params.optionalInt("seed", Integer.MIN_VALUE, Integer.MAX_VALUE).orElse(0));
                case MMR -> new Stage.Mmr(name, params.optionalNumber("lambda").or(() -> params.optionalNumber("lambda_param")).orElse(0.5),
                        params.optionalInt("top_k", 1, Stage.Mmr.MAX_TOP_K).orElse(10));
            };
        } catch (IllegalArgumentException e) {
            throw LoupeException.invalid(params.path(), e.getMessage());
        }
    }

    /** The first of several accepted names for a required string parameter. */
    private static String first(Body params, String name, String alias) {
        return params.optionalString(name).or(() -> params.optionalString(alias))
                .orElseThrow(() -> params.invalid(name, "is required"));
    }

    /**
     * A required field-path parameter, parsed now so that a path no stage could follow is a 422
     * naming the parameter when the retriever is created, not an error at each execution.
     */
    private static String fieldPath(Body params, String name, String alias) {
        String given = params.has(name) || !params.has(alias) ? name : alias;
        return checkedPath(params, given, first(params, name, alias));
    }

    private static String checkedPath(Body params, String parameter, String path) {
        try {
            FieldPath.parse(path);
        } catch (FieldPath.Invalid e) {
            throw params.invalid(parameter, e.getMessage());
        }
        return path;
    }

    private static boolean descending(Body params, boolean byDefault) {
        String d = params.optionalString("direction").or(() -> params.optionalString("order")).orElse(byDefault ? "desc" : "asc")
                .toLowerCase(Locale.ROOT);
        if (!d.equals("asc") && !d.equals("desc")) throw params.invalid("direction", "must be asc or desc, got '" + d + "'");
        return d.equals("desc");
    }

    private static Stage.FeatureSearch featureSearch(String name, Body params, Body config) {
        List<Stage.Search> searches = new ArrayList<>();
        if (params.has("searches")) {
            for (Body s : params.objects("searches")) searches.add(search(s));
        } else if (params.has("query")) {
            searches.add(search(params));
        }
        JsonNode preFilters = config.raw("pre_filters");
        if (preFilters == null) preFilters = params.raw("pre_filters");
        if (preFilters == null) preFilters = params.raw("filters");
        // Parsed once; dynamic values and templates are bound at each execution.
        FilterTree preFilter = FilterParser.tree(preFilters, config.path() + ".pre_filters");
        if (searches.isEmpty() && preFilters == null) {
            throw params.invalid("searches", "feature_search needs at least one search, or pre_filters for filter-only mode");
        }
        int defaultTop = searches.stream().mapToInt(Stage.Search::topK).max().orElse(100);
        int finalTopK = params.optionalInt("final_top_k", 1, 10_000).orElse(defaultTop);
        Stage.Fusion fusion = params.choice("fusion", Stage.Fusion.RRF);
        Stage.GroupBy groupBy = params.optionalObject("group_by").map(g -> groupBy(name, g)).orElse(null);
        List<Stage.Facet> facets = new ArrayList<>();
        if (params.has("facets")) {
            JsonNode list = params.raw("facets");
            if (!list.isArray()) throw params.invalid("facets", "must be an array of field names or {field, limit} objects");
            for (int i = 0; i < list.size(); i++) {
                JsonNode f = list.get(i);
                String at = params.path() + ".facets[" + i + "]";
                if (f.isTextual() && !f.asText().isBlank()) {
                    facets.add(new Stage.Facet(checkedPath(params, "facets[" + i + "]", f.asText()), 10));
                } else if (f.isObject()) {
                    Body fb = Body.of(f, at);
                    facets.add(new Stage.Facet(checkedPath(fb, "field", fb.optionalString("field").orElseThrow(() -> fb.invalid("field", "is required"))),
                            fb.optionalInt("limit", 1, 1000).orElse(10)));
                } else {
                    throw LoupeException.invalid(at, "must be a field name or {field, limit}");
                }
            }
        }
        try {
            return new Stage.FeatureSearch(name, searches, finalTopK, fusion, preFilters, groupBy, facets, preFilter);
        } catch (IllegalArgumentException e) {
            throw LoupeException.invalid(params.path(), e.getMessage());
        }
    }

    private static Stage.GroupBy groupBy(String name, Body g) {
        try {
            return new Stage.GroupBy(name, checkedPath(g, "field", g.optionalString("field").orElseThrow(() -> g.invalid("field", "is required"))),
                    g.optionalInt("max_per_group", 1, 10_000).orElse(1), g.optionalInt("limit", 1, 100_000).orElse(100_000));
        } catch (IllegalArgumentException e) {
            throw LoupeException.invalid(g.path(), e.getMessage());
        }
    }

    private static Stage.Search search(Body s) {
        String type = s.optionalString("search_type").orElse("vector").toLowerCase(Locale.ROOT);
        int topK = s.optionalInt("top_k", 1, 10_000).orElse(100);
        Double minScore = s.optionalNumber("min_score").orElse(null);
        double weight = s.optionalNumber("weight").orElse(1.0);
        return switch (type) {
            case "vector" -> new Stage.VectorSearch(s.optionalString("feature_uri").or(() -> s.optionalString("feature_address")).orElse(null),
                    query(s), topK, minScore, weight);
            case "lexical", "bm25", "text" -> {
                if (!(query(s) instanceof Stage.Query.Text text)) throw s.invalid("query", "a lexical search takes a text query");
                String operator = s.optionalString("operator").orElse("or").toLowerCase(Locale.ROOT);
                if (!operator.equals("or") && !operator.equals("and")) throw s.invalid("operator", "must be or or and, got '" + operator + "'");
                yield new Stage.LexicalSearch(s.has("fields") ? s.strings("fields") : List.of(), text.template(), operator.equals("and"),
                        topK, minScore, weight);
            }
            default -> throw s.invalid("search_type", "must be vector or lexical, got '" + type + "'");
        };
    }

    private static Stage.Query query(Body s) {
        JsonNode q = s.raw("query");
        if (q == null) throw s.invalid("query", "is required");
        if (q.isTextual()) return new Stage.Query.Text(q.asText());
        Body qb = Body.of(q, s.path().equals("body") ? "query" : s.path() + ".query");
        String mode = qb.optionalString("input_mode").orElse("text").toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "text" -> new Stage.Query.Text(qb.optionalString("value").or(() -> qb.optionalString("text"))
                    .orElseThrow(() -> qb.invalid("value", "is required for input_mode text")));
            case "content" -> new Stage.Query.Content(qb.optionalString("value")
                    .orElseThrow(() -> qb.invalid("value", "is required for input_mode content")));
            case "vector" -> {
                JsonNode v = qb.raw("value");
                if (v == null) throw qb.invalid("value", "is required for input_mode vector");
                if (!v.isArray() && !v.isTextual()) throw qb.invalid("value", "must be an array of numbers or a template");
                for (int i = 0; i < v.size(); i++) {
                    if (!v.get(i).isNumber()) throw qb.invalid("value[" + i + "]", "must be a number, got " + Body.kind(v.get(i)));
                    if (!Float.isFinite((float) v.get(i).asDouble())) {
                        throw qb.invalid("value[" + i + "]", "must be a finite number within float range, got " + v.get(i).asText());
                    }
                }
                yield new Stage.Query.Vector(v);
            }
            case "document" -> {
                JsonNode ref = qb.raw("document_ref");
                String id = ref != null && ref.isObject() ? ref.path("document_id").asText(null)
                        : qb.optionalString("value").orElse(null);
                if (id == null) throw qb.invalid("document_ref", "document_ref.document_id is required for input_mode document");
                yield new Stage.Query.Document(id);
            }
            default -> throw qb.invalid("input_mode", "must be text, content, vector or document, got '" + mode + "'");
        };
    }

    /** The stages in the OpenAPI shape, for responses. */
    public static ArrayNode toOpenApi(List<Stage> stages) {
        ArrayNode out = Json.array();
        for (Stage stage : stages) {
            ObjectNode node = out.addObject();
            node.put("stage_name", stage.name());
            node.put("stage_type", stage.stageType());
            ObjectNode config = node.putObject("config");
            config.put("stage_id", stage.stageId());
            ObjectNode params = config.putObject("parameters");
            switch (stage) {
                case Stage.FeatureSearch fs -> {
                    ArrayNode searches = params.putArray("searches");
                    for (Stage.Search s : fs.searches()) {
                        ObjectNode sn = searches.addObject();
                        switch (s) {
                            case Stage.VectorSearch v -> {
                                if (v.featureUri() != null) sn.put("feature_uri", v.featureUri());
                                ObjectNode q = sn.putObject("query");
                                switch (v.query()) {
                                    case Stage.Query.Text t -> q.put("input_mode", "text").put("value", t.template());
                                    case Stage.Query.Content c -> q.put("input_mode", "content").put("value", c.template());
                                    case Stage.Query.Vector vec -> q.put("input_mode", "vector").set("value", vec.value());
                                    case Stage.Query.Document d -> q.put("input_mode", "document").putObject("document_ref").put("document_id", d.documentIdTemplate());
                                }
                            }
                            case Stage.LexicalSearch l -> {
                                sn.put("search_type", "lexical");
                                ArrayNode fields = sn.putArray("fields");
                                l.fields().forEach(fields::add);
                                sn.putObject("query").put("input_mode", "text").put("value", l.text());
                                sn.put("operator", l.matchAll() ? "and" : "or");
                            }
                        }
                        sn.put("top_k", s.topK());
                        if (s.minScore() != null) sn.put("min_score", s.minScore());
                        sn.put("weight", s.weight());
                    }
                    params.put("final_top_k", fs.finalTopK());
                    params.put("fusion", Body.wireName(fs.fusion()));
                    if (fs.groupBy() != null) {
                        params.putObject("group_by").put("field", fs.groupBy().field()).put("max_per_group", fs.groupBy().maxPerGroup())
                                .put("limit", fs.groupBy().limit());
                    }
                    if (!fs.facets().isEmpty()) {
                        ArrayNode facets = params.putArray("facets");
                        fs.facets().forEach(f -> facets.addObject().put("field", f.field()).put("limit", f.limit()));
                    }
                    if (fs.preFilters() != null) config.set("pre_filters", fs.preFilters());
                }
                case Stage.AttributeFilter af -> params.set("filters", af.filter());
                case Stage.SortAttribute sa -> params.put("field", sa.field()).put("direction", sa.descending() ? "desc" : "asc");
                case Stage.SortRelevance sr -> params.put("direction", sr.descending() ? "desc" : "asc");
                case Stage.Limit l -> params.put("limit", l.limit()).put("offset", l.offset());
                case Stage.Deduplicate d -> params.put("field", d.field());
                case Stage.GroupBy g -> params.put("field", g.field()).put("max_per_group", g.maxPerGroup()).put("limit", g.limit());
                case Stage.ScoreNormalize n -> params.put("method", Body.wireName(n.method()));
                case Stage.Sample sm -> params.put("size", sm.size()).put("seed", sm.seed());
                case Stage.Mmr m -> params.put("lambda", m.lambda()).put("top_k", m.topK());
            }
        }
        return out;
    }
}
