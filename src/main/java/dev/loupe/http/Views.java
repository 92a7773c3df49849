package dev.loupe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.blob.ThumbnailRef;
import dev.loupe.catalog.Batch;
import dev.loupe.catalog.Blob;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Namespace;
import dev.loupe.catalog.RetrieverDefinition;
import dev.loupe.catalog.StoredObject;
import dev.loupe.catalog.Task;
import dev.loupe.extractor.FeatureExtractor;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ScoredDocument;
import dev.loupe.queue.TaskProgress;
import dev.loupe.retriever.ExecutionResult;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;

/** Renders catalog records, documents and executions in the OpenAPI document's response shapes. */
final class Views {
    private final Optional<String> publicUrl;

    Views(Optional<String> publicUrl) {
        this.publicUrl = publicUrl;
    }

    static ObjectNode namespace(Namespace ns) {
        ObjectNode n = Json.object();
        n.put("namespace_id", ns.namespaceId());
        n.put("namespace_name", ns.namespaceName());
        if (ns.description() != null) n.put("description", ns.description());
        n.put("namespace_type", "standard");
        ArrayNode extractors = n.putArray("feature_extractors");
        if (ns.featureExtractors() != null) {
            for (JsonNode fe : ns.featureExtractors()) {
                ObjectNode e = fe.deepCopy();
                // Mixpeek's read-only instance id, as on collections: name and version.
                e.put("feature_extractor_id", fe.path("feature_extractor_name").asText() + "_" + fe.path("version").asText());
                extractors.add(e);
            }
        }
        n.put("auto_create_indexes", false);
        n.put("created_at", ns.createdAt());
        n.put("updated_at", ns.updatedAt());
        return n;
    }

    static ObjectNode bucket(Bucket b, int objectCount) {
        ObjectNode n = Json.object();
        n.put("bucket_id", b.bucketId());
        n.put("bucket_name", b.bucketName());
        if (b.description() != null) n.put("description", b.description());
        n.set("bucket_schema", b.bucketSchema());
        n.set("metadata", b.metadata() == null ? Json.object() : b.metadata());
        n.put("object_count", objectCount);
        n.put("total_size_bytes", 0);
        n.put("status", "ACTIVE");
        n.put("is_locked", false);
        n.put("created_at", b.createdAt());
        n.put("updated_at", b.updatedAt());
        return n;
    }

    static ObjectNode object(StoredObject o, String status, String error) {
        ObjectNode n = Json.object();
        n.put("object_id", o.objectId());
        n.put("bucket_id", o.bucketId());
        if (o.keyPrefix() != null) n.put("key_prefix", o.keyPrefix());
        ArrayNode blobs = n.putArray("blobs");
        for (Blob b : o.blobs()) {
            ObjectNode bn = blobs.addObject();
            bn.put("blob_id", b.blobId());
            bn.put("property", b.property());
            bn.put("type", b.type());
            if (b.keyPrefix() != null) bn.put("key_prefix", b.keyPrefix());
            ObjectNode props = bn.putObject("properties");
            if (b.url() != null) props.put("url", b.url());
            if (b.metadata() != null) props.set("metadata", b.metadata());
            ObjectNode details = bn.putObject("details");
            if (b.sizeBytes() != null) details.put("size_bytes", b.sizeBytes());
            if (b.mimeType() != null) details.put("mime_type", b.mimeType());
            if (b.sha256() != null) details.put("hash", b.sha256());
        }
        n.set("metadata", o.metadata() == null ? Json.object() : o.metadata());
        n.put("status", status);
        if (error != null) n.put("error", error);
        n.put("created_at", o.createdAt());
        n.put("updated_at", o.updatedAt());
        return n;
    }

    static ObjectNode batch(Batch b, TaskProgress progress) {
        ObjectNode n = Json.object();
        n.put("batch_id", b.batchId());
        n.put("bucket_id", b.bucketId());
        n.put("status", progress == null ? Batch.DRAFT : progress.status().name());
        n.set("object_ids", Json.tree(b.objectIds()));
        if (b.taskId() != null) n.put("task_id", b.taskId());
        n.put("type", "BUCKET");
        if (progress != null && !progress.failures().isEmpty()) {
            // Mixpeek's error_summary counts the failed objects per error; which object failed how is on the task.
            ObjectNode summary = n.putObject("error_summary");
            for (String reason : progress.failures().values()) {
                String error = reason.length() > 200 ? reason.substring(0, 200) : reason;
                summary.put(error, summary.path(error).asInt(0) + 1);
            }
            n.put("error", progress.failed() + " of " + progress.total() + " objects failed");
        }
        n.set("metadata", Json.object());
        n.put("total_tiers", 1);
        n.putArray("tier_tasks");
        n.put("created_at", b.createdAt());
        n.put("updated_at", b.updatedAt());
        return n;
    }

    static ObjectNode task(Task t, TaskProgress p) {
        ObjectNode n = Json.object();
        n.put("task_id", t.taskId());
        n.put("task_type", t.taskType());
        n.put("status", p.status().name());
        ArrayNode inputs = n.putArray("inputs");
        if (t.batchId() != null) inputs.add(t.batchId());
        if (t.collectionId() != null) inputs.add(t.collectionId());
        n.putArray("outputs");
        ObjectNode data = n.putObject("additional_data");
        data.put("total", p.total());
        data.put("pending", p.pending());
        data.put("processing", p.running());
        data.put("completed", p.done());
        data.put("failed", p.failed());
        data.put("canceled", p.canceled());
        if (!p.tokens().equals(dev.loupe.queue.TaskProgress.Tokens.NONE)) {
            data.putObject("provider_usage").put("input_tokens", p.tokens().input()).put("output_tokens", p.tokens().output());
        }
        if (!p.failures().isEmpty()) {
            data.set("failures", Json.tree(p.failures()));
            n.put("error", p.failed() + " of " + p.total() + " items failed; see additional_data.failures");
        } else {
            n.putNull("error");
        }
        n.put("created_at", t.createdAt());
        return n;
    }

    static ObjectNode collection(Collection c, FeatureExtractor extractor, JsonNode inputSchema, long documentCount) {
        ObjectNode n = Json.object();
        n.put("collection_id", c.collectionId());
        n.put("collection_name", c.collectionName());
        if (c.description() != null) n.put("description", c.description());
        ObjectNode source = n.putObject("source");
        source.put("type", c.source().type());
        switch (c.source()) {
            case Collection.Source.Buckets b -> source.set("bucket_ids", Json.tree(b.bucketIds()));
            case Collection.Source.Upstream u -> source.put("collection_id", u.collectionId());
        }
        n.set("input_schema", inputSchema);
        ObjectNode output = n.putObject("output_schema");
        ObjectNode props = output.putObject("properties");
        props.putObject("document_id").put("type", "string");
        props.putObject("collection_id").put("type", "string");
        props.putObject("root_object_id").put("type", "string");
        props.putObject("metadata").put("type", "object");
        props.setAll(extractor.outputSchema(c.featureExtractor().parameters()));
        if (c.featureExtractor().fieldPassthrough() != null) {
            for (Collection.Passthrough p : c.featureExtractor().fieldPassthrough()) props.putObject(p.target()).put("type", "string");
        }
        ObjectNode fe = (ObjectNode) Json.tree(c.featureExtractor());
        fe.put("feature_extractor_id", c.featureExtractor().featureExtractorId());
        n.set("feature_extractor", fe);
        ArrayNode indexes = n.putArray("vector_indexes");
        for (FeatureExtractor.VectorIndexSpec v : extractor.vectorIndexes()) {
            ObjectNode vi = indexes.addObject();
            vi.put("name", v.name());
            vi.put("feature_uri", v.featureUri());
            vi.put("size", v.dimension());
            vi.put("distance", v.distance());
            vi.put("type", "single");
        }
        n.putArray("payload_indexes");
        n.put("document_count", documentCount);
        n.put("enabled", true);
        n.put("schema_version", 1);
        n.set("metadata", c.metadata() == null ? Json.object() : c.metadata());
        n.put("created_at", c.createdAt());
        n.put("updated_at", c.updatedAt());
        return n;
    }

    static ObjectNode retriever(RetrieverDefinition r) {
        ObjectNode n = Json.object();
        n.put("retriever_id", r.retrieverId());
        n.put("retriever_name", r.retrieverName());
        if (r.description() != null) n.put("description", r.description());
        n.set("collection_ids", Json.tree(r.collectionIds()));
        n.set("stages", r.stages());
        n.set("input_schema", r.inputSchema());
        n.putObject("budget_limits");
        n.putArray("tags");
        n.put("version", 1);
        n.put("is_published", false);
        n.put("created_at", r.createdAt());
        n.put("updated_at", r.updatedAt());
        return n;
    }

    /** A document with its fields at the root, URLs made absolute, and vectors when asked. */
    ObjectNode document(Context ctx, IndexedDocument d, boolean withVectors) {
        ObjectNode n = d.fields().deepCopy();
        n.put("document_id", d.documentId());
        n.put("collection_id", d.collectionId());
        String base = baseUrl(ctx);
        ArrayNode blobs = n.putArray("document_blobs");
        storedImage(n, "thumbnail_url", "thumbnail_url", "thumbnail", base, blobs);
        storedImage(n, "face_crop_url", "face_crop_url", "face_crop", base, blobs);
        JsonNode faces = n.get("faces");
        if (faces instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i) instanceof ObjectNode face) storedImage(face, "face_crop_url", "faces." + i + ".face_crop_url", "face_crop", base, blobs);
            }
        }
        if (withVectors) {
            for (Map.Entry<String, float[]> v : d.vectors().entrySet()) {
                ArrayNode arr = n.putArray(v.getKey());
                for (float x : v.getValue()) arr.add(x);
            }
        }
        return n;
    }

    /**
     * Makes the image Loupe stored at {@code field} of {@code holder} (a thumbnail, a face crop)
     * an absolute URL and lists it in {@code document_blobs}; any other value there is left alone.
     */
    private static void storedImage(ObjectNode holder, String field, String path, String role, String base, ArrayNode blobs) {
        JsonNode ref = holder.get(field);
        if (ref == null || !ref.isTextual() || ThumbnailRef.parse(ref.asText()).isEmpty()) return;
        String url = base + ref.asText();
        holder.put(field, url);
        blobs.addObject().put("field", path).put("role", role).put("type", "image").put("url", url).put("content_type", "image/jpeg");
    }

    ObjectNode execution(Context ctx, ExecutionResult r, boolean withVectors) {
        ObjectNode n = Json.object();
        n.put("execution_id", r.executionId());
        n.put("status", "COMPLETED");
        ArrayNode docs = n.putArray("documents");
        for (ScoredDocument h : r.page()) {
            ObjectNode d = document(ctx, h.document(), withVectors);
            d.put("score", h.score());
            docs.add(d);
        }
        n.set("pagination", new Page(r.offset(), r.pageSize()).response(r.total()));
        ObjectNode stats = n.putObject("stage_statistics");
        ObjectNode stages = stats.putObject("stages");
        r.stages().forEach((name, s) -> {
            ObjectNode sn = stages.putObject(name);
            sn.put("input_count", s.inputCount());
            sn.put("output_count", s.outputCount());
            sn.put("duration_ms", s.durationMillis());
            sn.put("efficiency", s.inputCount() == 0 ? 0.0 : (double) s.outputCount() / s.inputCount());
            // Loupe's own, beside Mixpeek's fields: how the stage's vector searches found their hits
            s.search().ifPresent(t -> sn.set("search", t.json()));
        });
        stats.put("total_time_ms", r.totalMillis());
        if (!r.facets().isEmpty()) n.set("facets", r.facets());
        return n;
    }

    /**
     * The base of the URLs Loupe hands out: {@code --public-url}, or else the address and port the
     * request actually reached. Not the request's Host header, which the caller writes: echoing it
     * would let anyone plant links to a host of their choosing in answers others may cache or follow.
     */
    String baseUrl(Context ctx) {
        return publicUrl.orElseGet(() -> {
            String address = ctx.req().getLocalAddr();
            if (address.contains(":")) address = "[" + address.replaceFirst("%.*$", "") + "]";
            return ctx.scheme() + "://" + address + ":" + ctx.req().getLocalPort();
        });
    }
}
