package dev.loupe.retriever;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.List;

/** What {@code GET /v1/retrievers/stages} lists: each stage with its parameter schema. */
public final class StageCatalog {
    private StageCatalog() {}

    public static List<String> stageIds() {
        return StageKind.ids();
    }

    public static ArrayNode describe() {
        ArrayNode out = Json.array();
        ObjectNode fs = out.addObject();
        fs.put("stage_id", "feature_search");
        fs.put("description", "Nearest-neighbour search over one or more feature indexes, fused into one ranking");
        fs.put("category", "filter");
        fs.put("icon", "search");
        ObjectNode schema = fs.putObject("parameter_schema");
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        ObjectNode searches = props.putObject("searches");
        searches.put("type", "array");
        ObjectNode item = searches.putObject("items");
        item.put("type", "object");
        ObjectNode ip = item.putObject("properties");
        ip.putObject("feature_uri").put("type", "string");
        ObjectNode query = ip.putObject("query");
        query.put("type", "object");
        ObjectNode qp = query.putObject("properties");
        qp.putObject("input_mode").putArray("enum").add("text").add("content").add("vector").add("document");
        qp.putObject("value");
        qp.putObject("document_ref").put("type", "object");
        ip.putObject("top_k").put("type", "integer").put("minimum", 1).put("maximum", 10000).put("default", 100);
        ip.putObject("min_score").put("type", "number");
        ip.putObject("weight").put("type", "number").put("default", 1.0);
        item.putArray("required").add("query");
        props.putObject("final_top_k").put("type", "integer").put("minimum", 1);
        props.putObject("fusion").put("type", "string").putArray("enum").add("rrf").add("weighted").add("max");
        ObjectNode filter = simple(out, "attribute_filter", "filter", "Keep the candidates matching a filter (AND/OR/NOT, field conditions)");
        filter.putObject("properties").putObject("filters").put("type", "object");
        ObjectNode sort = simple(out, "sort_attribute", "sort", "Order candidates by a field's value; missing values last");
        ObjectNode sp = sort.putObject("properties");
        sp.putObject("field").put("type", "string");
        direction(sp, "asc");
        sort.putArray("required").add("field");
        direction(simple(out, "sort_relevance", "sort", "Order candidates by score").putObject("properties"), "desc");
        ObjectNode limit = simple(out, "limit", "reduce", "Keep limit candidates after skipping offset");
        ObjectNode lp = limit.putObject("properties");
        lp.putObject("limit").put("type", "integer").put("minimum", 0);
        lp.putObject("offset").put("type", "integer").put("minimum", 0).put("default", 0);
        limit.putArray("required").add("limit");
        ObjectNode dedup = simple(out, "deduplicate", "reduce", "Keep the first candidate of each value of a field");
        dedup.putObject("properties").putObject("field").put("type", "string");
        dedup.putArray("required").add("field");
        ObjectNode group = simple(out, "group_by", "reduce", "Keep at most max_per_group candidates per value of a field, and at most limit groups");
        ObjectNode gp = group.putObject("properties");
        gp.putObject("field").put("type", "string");
        gp.putObject("max_per_group").put("type", "integer").put("minimum", 1).put("default", 1);
        gp.putObject("limit").put("type", "integer").put("minimum", 1);
        group.putArray("required").add("field");
        simple(out, "score_normalize", "sort", "Rescale scores (minmax to [0, 1], or zscore)").putObject("properties")
                .putObject("method").put("type", "string").put("default", "minmax").putArray("enum").add("minmax").add("zscore");
        ObjectNode sample = simple(out, "sample", "reduce", "A seeded random subset of the candidates, in their order");
        ObjectNode smp = sample.putObject("properties");
        smp.putObject("size").put("type", "integer").put("minimum", 0);
        smp.putObject("seed").put("type", "integer").put("default", 0);
        sample.putArray("required").add("size");
        ObjectNode mmr = simple(out, "mmr", "sort", "Maximal marginal relevance: trade score against similarity to what is already picked");
        ObjectNode mp = mmr.putObject("properties");
        mp.putObject("lambda").put("type", "number").put("minimum", 0).put("maximum", 1).put("default", 0.5);
        mp.putObject("top_k").put("type", "integer").put("minimum", 1).put("default", 10);
        return out;
    }

    /** A catalogue entry with an object parameter schema, returned for its properties to be filled in. */
    private static ObjectNode simple(ArrayNode out, String id, String category, String description) {
        ObjectNode entry = out.addObject();
        entry.put("stage_id", id);
        entry.put("description", description);
        entry.put("category", category);
        entry.put("icon", category);
        ObjectNode schema = entry.putObject("parameter_schema");
        schema.put("type", "object");
        return schema;
    }

    private static void direction(ObjectNode properties, String byDefault) {
        properties.putObject("direction").put("type", "string").put("default", byDefault).putArray("enum").add("asc").add("desc");
    }
}
