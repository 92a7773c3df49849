package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.RetrieverDefinition;
import dev.loupe.catalog.Task;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.extractor.FeatureExtractor;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.ingestion.Ingestion;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/collections}: create (which processes what the source already holds),
 * list, get, delete.
 */
final class CollectionRoutes implements ApiServer.Routes {
    private final Catalog catalog;
    private final Scopes scopes;
    private final ExtractorCatalog extractors;
    private final Ingestion ingestion;
    private final DocumentIndex index;

    CollectionRoutes(Catalog catalog, Scopes scopes, ExtractorCatalog extractors, Ingestion ingestion, DocumentIndex index) {
        this.catalog = catalog;
        this.scopes = scopes;
        this.extractors = extractors;
        this.ingestion = ingestion;
        this.index = index;
    }

    @Override
    public void register(RoutesConfig r) {
        r.post("/v1/collections", this::create);
        r.post("/v1/collections/list", this::list);
        r.get("/v1/collections/{collection}", this::get);
        r.patch("/v1/collections/{collection}", this::patch);
        r.delete("/v1/collections/{collection}", this::delete);
    }

    private void create(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String name = body.requiredName("collection_name");
        Collection.Source source = source(body.requiredObject("source"), scope);
        Body fe = body.requiredObject("feature_extractor");
        String extractorName = fe.requiredString("feature_extractor_name");
        String version = fe.optionalString("version").orElse("v1");
        JsonNode rawParams = fe.has("parameters") ? fe.raw("parameters") : fe.raw("params");
        ExtractorCatalog.Configured configured = extractors.configure(extractorName, version, rawParams, "feature_extractor");
        FeatureExtractor extractor = configured.extractor();
        ObjectNode params = configured.parameters();
        JsonNode mappings = inputMappings(fe);
        extractor.checkInputMappings(mappings, "feature_extractor.input_mappings");
        checkMappedFields(mappings, source, scope.namespaceId());
        List<Collection.Passthrough> passthrough = new ArrayList<>();
        for (Body p : fe.objects("field_passthrough")) {
            String target = p.optionalString("target_path").orElse(null);
            passthrough.add(new Collection.Passthrough(p.requiredString("source_path"), target, p.raw("default"),
                    p.optionalBoolean("required").orElse(false)));
        }
        String id = Kind.COLLECTION.newId();
        String now = Ids.now();
        Collection collection = catalog.insert(Kind.COLLECTION, id, scope.namespaceId(), null, name, new Collection(id,
                scope.namespaceId(), name, body.optionalString("description").orElse(null), source,
                new Collection.ExtractorConfig(extractorName, version, mappings, passthrough,
                        fe.optionalBoolean("include_all_source_fields").orElse(false), params),
                body.objectOrEmpty("metadata"), now, now));
        Task task = ingestion.backfill(collection);
        ObjectNode view = Views.collection(collection, extractor, inputSchema(collection), 0);
        if (task != null) view.put("task_id", task.taskId());
        ApiServer.json(ctx, 200, view);
    }

    private Collection.Source source(Body src, Scope scope) {
        String type = src.requiredString("type");
        return switch (type) {
            case "bucket" -> {
                List<String> refs = new ArrayList<>(src.strings("bucket_ids"));
                src.optionalString("bucket_id").ifPresent(refs::add);
                if (refs.isEmpty()) throw src.invalid("bucket_ids", "a bucket source needs bucket_ids (or bucket_id)");
                List<String> ids = new ArrayList<>();
                for (String ref : refs) {
                    Bucket b = catalog.find(Kind.BUCKET, scope.namespaceId(), ref)
                            .orElseThrow(() -> src.invalid("bucket_ids", "bucket not found: " + ref));
                    if (!ids.contains(b.bucketId())) ids.add(b.bucketId());
                }
                yield new Collection.Source.Buckets(ids);
            }
            case "collection" -> {
                String ref = src.optionalString("collection_id")
                        .or(() -> src.strings("collection_ids").stream().findFirst())
                        .orElseThrow(() -> src.invalid("collection_id", "a collection source needs collection_id"));
                Collection upstream = catalog.find(Kind.COLLECTION, scope.namespaceId(), ref)
                        .orElseThrow(() -> src.invalid("collection_id", "collection not found: " + ref));
                yield new Collection.Source.Upstream(upstream.collectionId());
            }
            default -> throw src.invalid("type", "must be 'bucket' or 'collection', got '" + type + "'");
        };
    }

    /**
     * {@code {"image": "payload.image_url"}}, or the OpenAPI's list form
     * {@code [{"input_key": "image", "source_type": "payload", "path": "image_url"}]} (older
     * clients write {@code input_name} and {@code source_path}).
     */
    private static JsonNode inputMappings(Body fe) {
        JsonNode raw = fe.raw("input_mappings");
        if (raw == null) return Json.object();
        if (raw.isObject()) {
            ObjectNode out = Json.object();
            for (Map.Entry<String, JsonNode> e : raw.properties()) {
                JsonNode v = e.getValue();
                String path = v.isTextual() ? v.asText() : v.path("path").asText(v.path("source_path").asText(""));
                if (path.isBlank()) throw LoupeException.invalid("feature_extractor.input_mappings." + e.getKey(), "must be a source path string");
                out.put(e.getKey(), path);
            }
            return out;
        }
        if (raw.isArray()) {
            ObjectNode out = Json.object();
            for (Body m : fe.objects("input_mappings")) {
                String input = m.optionalString("input_key").or(() -> m.optionalString("input_name")).or(() -> m.optionalString("input"))
                        .orElseThrow(() -> m.invalid("input_key", "is required"));
                String sourceType = m.optionalString("source_type").orElse("payload");
                if (!sourceType.equals("payload")) {
                    throw m.invalid("source_type", "only 'payload' inputs are supported (a path into the source object or document), got '"
                            + sourceType + "'");
                }
                String path = m.optionalString("path").or(() -> m.optionalString("source_path"))
                        .or(() -> m.optionalObject("source").flatMap(src -> src.optionalString("path")))
                        .filter(p -> !p.isBlank())
                        .orElseThrow(() -> m.invalid("path", "is required: the source field to read the input from"));
                if (out.has(input)) throw m.invalid("input_key", "input '" + input + "' is mapped twice");
                out.put(input, path);
            }
            return out;
        }
        throw LoupeException.invalid("feature_extractor.input_mappings", "must be an object or an array");
    }

    /**
     * A mapping that names a bucket field the bucket's schema lacks can only fail every object
     * later, so it is refused now. Paths into {@code metadata.} and buckets without a schema
     * are left to the objects themselves.
     */
    private void checkMappedFields(JsonNode mappings, Collection.Source source, String namespaceId) {
        if (!(source instanceof Collection.Source.Buckets buckets)) return;
        for (String bucketId : buckets.bucketIds()) {
            Bucket bucket = catalog.find(Kind.BUCKET, namespaceId, bucketId).orElseThrow();
            JsonNode props = bucket.bucketSchema() == null ? null : bucket.bucketSchema().get("properties");
            if (props == null || !props.isObject() || props.isEmpty()) continue;
            for (Map.Entry<String, JsonNode> m : mappings.properties()) {
                String path = m.getValue().asText().strip();
                if (path.startsWith("payload.")) path = path.substring("payload.".length());
                if (path.startsWith("blobs.")) path = path.substring("blobs.".length());
                if (path.startsWith("metadata.")) continue;
                String field = path.split("\\.")[0];
                if (!props.has(field)) {
                    List<String> known = new ArrayList<>();
                    props.fieldNames().forEachRemaining(known::add);
                    throw LoupeException.invalid("feature_extractor.input_mappings." + m.getKey(), "bucket '" + bucket.bucketName()
                            + "' has no field '" + field + "' in its bucket_schema; its fields are " + known);
                }
            }
        }
    }

    private JsonNode inputSchema(Collection c) {
        if (c.source() instanceof Collection.Source.Buckets buckets && !buckets.bucketIds().isEmpty()) {
            return catalog.find(Kind.BUCKET, c.namespaceId(), buckets.bucketIds().getFirst())
                    .map(b -> (JsonNode) b.bucketSchema()).orElse(Json.object().putObject("properties"));
        }
        ObjectNode schema = Json.object();
        schema.putObject("properties");
        return schema;
    }

    private ObjectNode view(Collection c) {
        FeatureExtractor extractor = extractors.of(c.featureExtractor());
        return Views.collection(c, extractor, inputSchema(c), index.count(c.collectionId(), FilterNode.ALL));
    }

    private void list(Context ctx) {
        Scope scope = scopes.of(ctx);
        Body body = Body.of(Json.parseRequest(ctx.body()));
        ListQuery query = ListQuery.parse(body, Page.from(ctx), List.of("collection_id", "collection_name", "description", "metadata"),
                java.util.Set.of("filters", "sort", "search"));
        var result = CatalogListing.list(catalog, Kind.COLLECTION, scope.namespaceId(), null, query, null,
                cols -> cols.stream().map(this::view).toList());
        ObjectNode out = result.response();
        out.put("total_count", result.total());
        ApiServer.json(ctx, 200, out);
    }

    private void patch(Context ctx) {
        Scope scope = scopes.of(ctx);
        Collection col = catalog.require(Kind.COLLECTION, scope.namespaceId(), ctx.pathParam("collection"));
        Body body = Body.of(Json.parseRequest(ctx.body()));
        String rebuild = "its documents were made with it; create a new collection";
        Patch patch = Patch.of(body, java.util.Set.of("collection_name", "description", "metadata"), Map.of(
                "collection_id", "it is the collection's identity",
                "source", rebuild,
                "feature_extractor", rebuild,
                "input_schema", "it follows the source bucket's schema",
                "output_schema", "it follows the feature extractor",
                "vector_indexes", "they follow the feature extractor"), view(col));
        Collection updated = new Collection(col.collectionId(), col.namespaceId(), patch.name("collection_name", col.collectionName()),
                patch.description(col.description()), col.source(), col.featureExtractor(), patch.metadata(col.metadata()),
                col.createdAt(), Ids.now());
        catalog.update(Kind.COLLECTION, col.collectionId(), updated.collectionName(), updated);
        ApiServer.json(ctx, 200, view(updated));
    }

    private void get(Context ctx) {
        Scope scope = scopes.of(ctx);
        ApiServer.json(ctx, 200, view(catalog.require(Kind.COLLECTION, scope.namespaceId(), ctx.pathParam("collection"))));
    }

    private void delete(Context ctx) {
        Scope scope = scopes.of(ctx);
        Collection col = catalog.require(Kind.COLLECTION, scope.namespaceId(), ctx.pathParam("collection"));
        for (Collection other : catalog.list(Kind.COLLECTION, scope.namespaceId(), null, Integer.MAX_VALUE, 0)) {
            if (other.source().readsCollection(col.collectionId())) {
                throw LoupeException.conflict("collection '" + col.collectionName() + "' feeds collection '" + other.collectionName() + "'; delete it first");
            }
        }
        for (RetrieverDefinition r : catalog.list(Kind.RETRIEVER, scope.namespaceId(), null, Integer.MAX_VALUE, 0)) {
            if (r.collectionIds().contains(col.collectionId())) {
                throw LoupeException.conflict("collection '" + col.collectionName() + "' is used by retriever '" + r.retrieverName() + "'; delete it first");
            }
        }
        catalog.database().inTransaction(c -> catalog.delete(c, Kind.COLLECTION, col.collectionId()));
        index.drop(col.collectionId());
        ApiServer.json(ctx, 200, Json.object().put("success", true).put("message", "Successfully deleted"));
    }
}
