package dev.loupe.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.ExtractorDescription;
import dev.loupe.extractor.FeatureExtractor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /v1/collections/features/extractors} and {@code .../{feature_extractor_id}}: the
 * extractors this Loupe offers, with the schemas of their inputs, parameters and outputs, so
 * a client can discover what it may ask for.
 */
final class ExtractorRoutes implements ApiServer.Routes {
    private final ExtractorCatalog extractors;

    ExtractorRoutes(ExtractorCatalog extractors) {
        this.extractors = extractors;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/v1/collections/features/extractors", this::list);
        r.get("/v1/collections/features/extractors/{extractor}", this::get);
    }

    private void list(Context ctx) {
        ArrayNode out = Json.array();
        for (ExtractorDescription d : extractors.describe()) out.add(view(d));
        ApiServer.json(ctx, 200, out);
    }

    /** By Mixpeek's id ({@code image_extractor_v1}) or by name, which means its latest version. */
    private void get(Context ctx) {
        String ref = ctx.pathParam("extractor");
        ExtractorDescription found = extractors.describe().stream()
                .filter(d -> d.id().equals(ref) || d.name().equals(ref) || (d.name() + "@" + d.version()).equals(ref))
                .findFirst()
                .orElseThrow(() -> LoupeException.notFound("feature extractor", ref + " (available: "
                        + extractors.describe().stream().map(ExtractorDescription::id).toList() + ")"));
        ApiServer.json(ctx, 200, view(found));
    }

    private static ObjectNode view(ExtractorDescription d) {
        ObjectNode n = Json.object();
        n.put("feature_extractor_name", d.name());
        n.put("version", d.version());
        n.put("feature_extractor_id", d.id());
        n.put("description", d.description());
        n.put("icon", "image");
        n.put("source", "builtin");
        n.set("input_schema", d.inputSchema());
        ObjectNode output = n.putObject("output_schema");
        output.put("type", "object");
        output.set("properties", d.outputSchema());
        n.set("parameter_schema", d.parameterSchema());
        n.set("supported_input_types", Json.tree(d.supportedInputTypes()));
        n.putObject("max_inputs").put(d.supportedInputTypes().getFirst(), 1);
        n.set("default_parameters", d.defaultParameters());
        ArrayNode indexes = n.putArray("required_vector_indexes");
        for (FeatureExtractor.VectorIndexSpec v : d.vectorIndexes()) {
            ObjectNode vi = indexes.addObject();
            vi.put("name", v.name());
            vi.put("description", v.description());
            vi.put("type", "single");
            vi.put("feature_uri", v.featureUri());
            ObjectNode idx = vi.putObject("index");
            idx.put("name", v.field());
            idx.put("description", v.dimension() + "-d L2-normalised " + v.queryEncoder() + " embedding");
            idx.put("dimensions", v.dimension());
            idx.put("type", "dense");
            idx.put("distance", v.distance());
        }
        n.putArray("required_payload_indexes");
        n.putArray("position_fields");
        return n;
    }
}
