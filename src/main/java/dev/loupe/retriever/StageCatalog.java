package dev.loupe.retriever;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.List;

/** What {@code GET /v1/retrievers/stages} lists: each stage with its parameter schema. */
public final class StageCatalog {
    private StageCatalog() {}

    public static List<String> stageIds() {
        return List.of("feature_search");
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
        return out;
    }
}
