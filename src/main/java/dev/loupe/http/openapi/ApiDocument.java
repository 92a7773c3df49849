package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.Schemas.about;
import static dev.loupe.http.openapi.Schemas.anyObject;
import static dev.loupe.http.openapi.Schemas.array;
import static dev.loupe.http.openapi.Schemas.bool;
import static dev.loupe.http.openapi.Schemas.dateTime;
import static dev.loupe.http.openapi.Schemas.integer;
import static dev.loupe.http.openapi.Schemas.object;
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Assembles Loupe's OpenAPI 3.1 document from the {@link Operation}s of {@link Operations#all()}:
 * paths, the shared components (Mixpeek's error shape, pagination, the resources' views), the
 * two ways to authenticate, and the error answers every operation can give.
 */
public final class ApiDocument {
    public static final String EXTENSION = "x-loupe-extension";
    private static final String ERROR = "ErrorResponse";

    private ApiDocument() {}

    /** The document for {@code operations}; refuses two operations on one method and path. */
    public static ObjectNode of(List<Operation> operations, String version) {
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.1.0");
        doc.putObject("info").put("title", "Loupe").put("version", version)
                .put("description", "Self-hosted image retrieval speaking Mixpeek's API. Operations marked "
                        + EXTENSION + " are Loupe's own and absent from Mixpeek's API. Every request body is bounded:"
                        + " at most twice --max-blob-bytes plus 1 MiB, JSON nested at most " + Json.MAX_NESTING_DEPTH
                        + " deep, numbers of at most " + Json.MAX_NUMBER_LENGTH + " digits (413 or 400 beyond).");
        doc.putArray("servers").addObject().put("url", "/").put("description", "this Loupe");
        Map<String, ObjectNode> paths = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        Set<String> ids = new HashSet<>();
        Set<String> tags = new LinkedHashSet<>();
        for (Operation op : operations) {
            if (!seen.add(op.key())) throw new IllegalStateException(op.method() + " " + op.path() + " is documented twice");
            if (!ids.add(operationId(op))) throw new IllegalStateException(op.method() + " " + op.path() + ": operationId " + operationId(op) + " is taken");
            paths.computeIfAbsent(op.path(), p -> Json.object()).set(op.method().toLowerCase(Locale.ROOT), operation(op));
            tags.add(op.tag());
        }
        ArrayNode tagList = doc.putArray("tags");
        tags.forEach(t -> tagList.addObject().put("name", t));
        ObjectNode pathsNode = doc.putObject("paths");
        paths.forEach(pathsNode::set);
        doc.set("components", components());
        return doc;
    }

    private static ObjectNode operation(Operation op) {
        ObjectNode o = Json.object();
        o.putArray("tags").add(op.tag());
        o.put("summary", op.summary());
        if (op.description() != null) o.put("description", op.description());
        o.put("operationId", operationId(op));
        if (op.loupeExtension()) o.put(EXTENSION, true);
        ArrayNode params = Json.array();
        for (Operation.Param p : op.params()) {
            ObjectNode n = params.addObject();
            n.put("name", p.name()).put("in", p.in().name().toLowerCase(Locale.ROOT)).put("required", p.required());
            if (p.description() != null) n.put("description", p.description());
            n.set("schema", p.schema());
        }
        switch (op.access()) {
            case KEY -> {
                o.putArray("security").addObject().putArray("ApiKey");
                params.addObject().put("$ref", "#/components/parameters/Namespace");
            }
            case OPEN -> o.putArray("security").addObject(); // an empty requirement: no key needed
            case PUBLIC_KEY -> o.putArray("security").addObject().putArray("PublicApiKey");
        }
        if (!params.isEmpty()) o.set("parameters", params);
        if (op.body() != null) {
            ObjectNode content = o.putObject("requestBody").put("required", true).putObject("content").putObject(op.body().mediaType());
            if (op.body().schema() != null) content.set("schema", op.body().schema());
        }
        ObjectNode responses = o.putObject("responses");
        Operation.Reply r = op.reply();
        ObjectNode ok = responses.putObject(String.valueOf(r.status())).put("description", r.description());
        if (r.schema() != null) ok.putObject("content").putObject(r.mediaType()).set("schema", r.schema());
        else if (!r.mediaType().isEmpty()) ok.putObject("content").putObject(r.mediaType());
        for (int status : errors(op)) responses.put(String.valueOf(status), Json.object().put("$ref", "#/components/responses/" + status));
        responses.set("default", Json.object().put("$ref", "#/components/responses/default"));
        return o;
    }

    /** The refusals an operation can answer with, from what it takes. */
    private static List<Integer> errors(Operation op) {
        List<Integer> out = new ArrayList<>();
        boolean takesInput = op.body() != null || op.params().stream().anyMatch(p -> p.in() == Operation.Param.In.QUERY);
        if (op.body() != null) out.add(400);
        if (op.access() != Operation.Access.OPEN) out.add(401);
        if (op.access() != Operation.Access.OPEN) out.add(403);
        if (op.access() == Operation.Access.KEY || op.path().contains("{")) out.add(404);
        // A listing changes nothing, so clashes with nothing.
        if (!op.method().equals("GET") && !op.path().endsWith("/list") && op.access() == Operation.Access.KEY) out.add(409);
        if (op.body() != null) out.add(413);
        if (takesInput) out.add(422);
        if (op.access() == Operation.Access.PUBLIC_KEY) out.add(429);
        return out;
    }

    /** {@code post_v1_buckets_bucket_objects_list}; {@link #of} refuses two alike. */
    private static String operationId(Operation op) {
        String slug = op.path().replaceAll("[{}]", "").replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_|_$", "");
        return op.method().toLowerCase(Locale.ROOT) + (slug.isEmpty() ? "_root" : "_" + slug);
    }

    private static ObjectNode components() {
        ObjectNode c = Json.object();
        ObjectNode security = c.putObject("securitySchemes");
        security.putObject("ApiKey").put("type", "http").put("scheme", "bearer")
                .put("description", "Authorization: Bearer <API key>. An admin key is printed at the first start; more from POST /v1/api-keys.");
        security.putObject("PublicApiKey").put("type", "apiKey").put("in", "header").put("name", "X-Public-API-Key")
                .put("description", "A published retriever's public key: it executes that retriever and nothing else.");
        c.putObject("parameters").putObject("Namespace")
                .put("name", "X-Namespace").put("in", "header").put("required", false)
                .put("description", "The namespace acted in, by id or name (or ?namespace=); 'default' when neither is given."
                        + " The key must be allowed to use it.")
                .set("schema", string());
        ObjectNode responses = c.putObject("responses");
        Map<String, String> statuses = new LinkedHashMap<>();
        statuses.put("400", "The body is not JSON, or not the JSON expected (BadRequestError)");
        statuses.put("401", "No key, or an unknown or revoked one (AuthenticationError)");
        statuses.put("403", "The key may not use this namespace or operation (PermissionError)");
        statuses.put("404", "No such resource, or no such namespace (NotFoundError; details name the resource and identifier)");
        statuses.put("409", "A name already taken, or a resource still in use (ConflictError)");
        statuses.put("413", "The request is over a size limit (PayloadTooLargeError)");
        statuses.put("422", "A field is missing, of the wrong type or out of its bounds (ValidationError; details.field names it)");
        statuses.put("429", "Over the publication's rate limit (RateLimitError); Retry-After says in how many seconds to try again");
        statuses.put("default", "Any other error, in the same shape (500 InternalServerError, 503 ServiceUnavailableError)");
        statuses.forEach((status, text) -> responses.putObject(status).put("description", text)
                .putObject("content").putObject("application/json").set("schema", ref(ERROR)));
        responses.withObject("/429").putObject("headers").putObject("Retry-After")
                .put("description", "seconds until the window closes").set("schema", integer());
        c.set("schemas", schemas());
        return c;
    }

    private static ObjectNode schemas() {
        ObjectNode s = Json.object();
        s.set(ERROR, object(
                required("success", bool()),
                required("status", integer(400, 599)),
                required("error", object(
                        required("message", string()),
                        required("type", about(string(), "Mixpeek's error type: ValidationError, NotFoundError, ...")),
                        optional("details", anyObject())))));
        s.set("Pagination", object(
                optional("total", integer()), optional("page", integer()), optional("page_size", integer()),
                optional("total_pages", integer()),
                optional("next_cursor", about(Schemas.nullable(string()), "pass as ?cursor= for the next page; null on the last"))));
        s.set("Deleted", object(required("success", bool()), optional("message", string())));
        s.set("Namespace", object(required("namespace_id", string()), required("namespace_name", string()),
                optional("description", string()), optional("feature_extractors", array(anyObject())),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Bucket", object(required("bucket_id", string()), required("bucket_name", string()), optional("description", string()),
                optional("bucket_schema", anyObject()), optional("metadata", anyObject()), optional("object_count", integer()),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Object", object(required("object_id", string()), required("bucket_id", string()), optional("key_prefix", string()),
                optional("blobs", array(object(required("blob_id", string()), required("property", string()), optional("type", string()),
                        optional("properties", anyObject()), optional("details", anyObject())))),
                optional("metadata", anyObject()).extension(), optional("status", string()), optional("error", Schemas.nullable(string())),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Batch", object(required("batch_id", string()), required("bucket_id", string()), required("status", string()),
                optional("object_ids", array(string())), optional("task_id", string()), optional("error", Schemas.nullable(string())),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Task", object(required("task_id", string()), required("task_type", string()),
                required("status", about(string(), "PENDING, IN_PROGRESS, PROCESSING, COMPLETED, COMPLETED_WITH_ERRORS, FAILED or CANCELED")),
                optional("additional_data", about(anyObject(), "counts (total, pending, processing, completed, failed, canceled) and failures")),
                optional("error", Schemas.nullable(string())), optional("created_at", dateTime()).extension()));
        s.set("Collection", object(required("collection_id", string()), required("collection_name", string()),
                optional("description", string()), optional("source", anyObject()), optional("feature_extractor", anyObject()),
                optional("input_schema", anyObject()), optional("output_schema", anyObject()),
                optional("vector_indexes", array(object(required("name", string()), required("feature_uri", string()),
                        required("size", integer()), required("distance", string())))),
                optional("document_count", integer()), optional("metadata", anyObject()),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Document", about(object(required("document_id", string()), required("collection_id", string()),
                optional("root_object_id", string()).extension(), optional("thumbnail_url", string()).extension(),
                optional("metadata", about(anyObject(), "the source object's metadata")).extension()),
                "Extractor outputs and passed-through fields sit at the root beside the ids"));
        s.set("FeatureExtractor", object(required("feature_extractor_name", string()), required("version", string()),
                optional("feature_extractor_id", string()), optional("description", string()), optional("parameter_schema", anyObject())));
        s.set("Retriever", object(required("retriever_id", string()), required("retriever_name", string()),
                optional("description", string()), optional("collection_ids", array(string())), optional("stages", array(anyObject())),
                optional("input_schema", anyObject()), optional("is_published", bool()),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Execution", object(required("execution_id", string()), required("status", string()),
                required("documents", array(ref("ScoredDocument"))), optional("pagination", ref("Pagination")),
                optional("stage_statistics", anyObject()), optional("facets", anyObject())));
        s.set("ScoredDocument", about(object(required("document_id", string()), required("score", Schemas.number())),
                "A document as in Document, with its score"));
        // Mixpeek answers a cluster's GET and its PATCH in two shapes; Loupe follows each.
        s.set("ClusterMetadata", object(required("cluster_id", string()), optional("cluster_name", Schemas.nullable(string())),
                optional("description", string()).extension(), optional("cluster_type", string()), optional("feature_uris", array(string())),
                optional("input_collections", array(string())), optional("algorithm", string()), optional("status", string()),
                optional("num_clusters", integer()), optional("metadata", anyObject()),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("Cluster", object(required("cluster_id", string()), optional("cluster_name", Schemas.nullable(string())),
                optional("description", string()).extension(), optional("cluster_type", string()),
                optional("collection_ids", array(string())), optional("vector_config", anyObject()), optional("status", string()),
                optional("num_clusters", integer()), optional("metadata", anyObject()),
                optional("created_at", dateTime()), optional("updated_at", dateTime())));
        s.set("ClusterExecution", object(required("run_id", string()), required("cluster_id", string()), required("status", string()),
                optional("num_clusters", integer()), optional("num_points", integer()), optional("noise_points", integer()).extension(),
                optional("centroids", about(array(object(required("cluster_id", string()), optional("num_members", integer()),
                        optional("label", string()), optional("centroid", array(Schemas.number())), optional("radius", Schemas.number()))),
                        "each cluster: its id, label, size, centroid and radius")),
                optional("created_at", dateTime()), optional("completed_at", dateTime())));
        s.set("ApiKey", object(required("key_id", string()), required("name", string()), optional("admin", bool()),
                optional("namespaces", array(string())), optional("key", about(string(), "the secret, returned once, at creation")),
                optional("created_at", dateTime())));
        s.set("Upload", object(required("upload_id", string()), required("bucket_id", string()), required("filename", string()),
                required("content_type", string()), optional("file_size_bytes", Schemas.nullable(integer())),
                optional("presigned_url", about(string(), "a URL on this Loupe to PUT the bytes to: signed, expiring, single use, size-bounded")),
                required("presigned_url_expiration", integer()), required("s3_key", string()), required("status", string()),
                optional("metadata", anyObject()), required("create_object_on_confirm", bool()), optional("object_metadata", anyObject()),
                optional("blob_property", string()), optional("blob_type", string()), optional("file_hash", Schemas.nullable(string())),
                optional("skip_duplicates", bool()), optional("is_duplicate", bool()),
                optional("duplicate_of_upload_id", Schemas.nullable(string())), optional("message", string()),
                optional("error", string()).extension(), optional("object_id", Schemas.nullable(string())),
                optional("task_id", Schemas.nullable(string())), required("created_at", dateTime()), required("expires_at", dateTime())));
        s.set("PublishedRetriever", object(required("retriever_id", string()), required("public_id", string()),
                required("public_name", string()), optional("description", Schemas.nullable(string())),
                optional("icon_base64", Schemas.nullable(string())),
                optional("public_api_key", about(Schemas.nullable(string()), "always null here: the key is shown once, when publishing")),
                optional("public_api_key_prefix", about(string(), "the key's first characters, to tell keys apart")).extension(),
                required("display_config", anyObject()), required("rate_limit_config", anyObject()),
                required("password_protected", bool()), required("is_active", bool()),
                optional("retriever_metadata", Schemas.nullable(anyObject())), optional("tags", array(string())),
                optional("category", Schemas.nullable(string())), required("created_at", dateTime()), required("updated_at", dateTime())));
        return s;
    }
}
