package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.Operation.delete;
import static dev.loupe.http.openapi.Operation.get;
import static dev.loupe.http.openapi.Operation.patch;
import static dev.loupe.http.openapi.Operation.post;
import static dev.loupe.http.openapi.Schemas.about;
import static dev.loupe.http.openapi.Schemas.anyObject;
import static dev.loupe.http.openapi.Schemas.array;
import static dev.loupe.http.openapi.Schemas.bool;
import static dev.loupe.http.openapi.Schemas.closedObject;
import static dev.loupe.http.openapi.Schemas.enumOf;
import static dev.loupe.http.openapi.Schemas.integer;
import static dev.loupe.http.openapi.Schemas.listOf;
import static dev.loupe.http.openapi.Schemas.name;
import static dev.loupe.http.openapi.Schemas.object;
import static dev.loupe.http.openapi.Schemas.oneOf;
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;
import static dev.loupe.http.openapi.Schemas.strings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Namespaces, buckets, objects, batches and tasks: where images come in (routes in http's *Routes classes). */
final class CatalogOperations {
    private CatalogOperations() {}

    static final String NAMESPACES = "Namespaces";
    static final String BUCKETS = "Buckets";
    static final String OBJECTS = "Objects";
    static final String BATCHES = "Batches";
    static final String TASKS = "Tasks";

    // A listing's body fields, each a new node per call: the document's nodes are never shared.

    /** Mixpeek's filter DSL. */
    static Schemas.Field filters() {
        return optional("filters", about(anyObject(), "{AND|OR|NOT: [...]} of {field, operator, value}, over the fields of the listed items"));
    }

    static Schemas.Field sort() {
        return optional("sort", about(anyObject(), "{field, direction: asc|desc}, or a list of them; a sorted listing reaches offset 100000 at most"));
    }

    static Schemas.Field search() {
        return optional("search", about(string(0, 1000), "text matched in the items' ids, names, descriptions and metadata"));
    }

    static Schemas.Field caseSensitive() {
        return optional("case_sensitive", about(bool(), "for filters and search; false by default"));
    }

    static Schemas.Field limit() {
        return optional("limit", about(integer(0, 1000), "page size, as ?limit="));
    }

    static Schemas.Field offset() {
        return optional("offset", about(integer(0, Integer.MAX_VALUE), "as ?offset="));
    }

    /** A listing: paging in the query, and a body of {@code fields}, the ones the route reads. */
    static Operation listing(Operation op, Schemas.Field... fields) {
        return op.body(Schemas.object(fields))
                .query("limit", integer(0, 1000), "page size (default 10)")
                .query("offset", integer(0, Integer.MAX_VALUE), "results skipped")
                .query("cursor", string(), "next_cursor of the previous page")
                .query("include_total", bool(), "count every match");
    }

    private static Schemas.Field status() {
        return optional("status", Schemas.enumOf("PENDING", "IN_PROGRESS", "PROCESSING", "COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED",
                "CANCELED", "UNKNOWN", "SKIPPED", "DRAFT", "ACTIVE", "ARCHIVED", "SUSPENDED"));
    }

    private static ObjectNode blob() {
        return object(required("property", name()),
                optional("type", about(string(), "the bucket field type of the blob (default image)")),
                optional("data", about(oneOf(string(), anyObject()), "an http(s) URL fetched at ingestion, a data: URI or base64"
                        + " (at most --max-blob-bytes), the text of a text blob, or JSON; or, instead, upload_id")),
                optional("upload_id", about(string(), "a completed upload of this bucket, whose bytes the blob takes")),
                optional("key_prefix", string()), optional("metadata", anyObject()));
    }

    private static ObjectNode objectBody() {
        return about(Schemas.object(optional("key_prefix", string()), optional("blobs", array(blob())),
                        optional("metadata", about(anyObject(), "the object's fields, matched against the bucket schema")).extension()),
                "at least one blob or some metadata; creating an object does not process it (submit a batch)");
    }

    private static ObjectNode patchOf(String nameField) {
        return closedObject(optional(nameField, name()), optional("description", string()),
                optional("metadata", about(anyObject(), "merged as a JSON Merge Patch")));
    }

    static List<Operation> operations() {
        return List.of(
                post("/v1/namespaces", NAMESPACES, "Create a namespace").body(Schemas.object(
                        required("namespace_name", name()), optional("description", string()),
                        optional("feature_extractors", array(Schemas.object(required("feature_extractor_name", string()),
                                required("version", string()), optional("params", anyObject()))))))
                        .returns(ref("Namespace")),
                listing(post("/v1/namespaces/list", NAMESPACES, "List namespaces"), filters(), sort(), search(), caseSensitive()).returns(listOf("Namespace")),
                get("/v1/namespaces/{namespace}", NAMESPACES, "Get a namespace").returns(ref("Namespace")),
                patch("/v1/namespaces/{namespace}", NAMESPACES, "Rename or redescribe a namespace")
                        .body(closedObject(optional("namespace_name", name()), optional("description", string()))).returns(ref("Namespace")),
                delete("/v1/namespaces/{namespace}", NAMESPACES, "Delete an empty namespace")
                        .describe("Refused (409) while it holds buckets or collections; a key limited to namespaces cannot.").returns(ref("Deleted")),

                post("/v1/buckets", BUCKETS, "Create a bucket").body(Schemas.object(
                        required("bucket_name", name()), optional("description", string()),
                        optional("bucket_schema", about(Schemas.object(optional("properties", anyObject())),
                                "{properties: {field: {type}}}; types: string, number, integer, float, boolean, object, array, date,"
                                        + " datetime, text, image, audio, video, pdf, excel, url, json. The seed's 'schema' is read too")),
                        optional("metadata", anyObject())))
                        .returns(ref("Bucket")),
                listing(post("/v1/buckets/list", BUCKETS, "List buckets"), filters(), sort(), search(), caseSensitive(), limit(), offset())
                        .returns(listOf("Bucket")),
                get("/v1/buckets/{bucket}", BUCKETS, "Get a bucket").returns(ref("Bucket")),
                patch("/v1/buckets/{bucket}", BUCKETS, "Rename a bucket or change its description or metadata")
                        .describe("The schema cannot change: objects and collections were made against it.")
                        .body(patchOf("bucket_name")).returns(ref("Bucket")),
                delete("/v1/buckets/{bucket}", BUCKETS, "Delete a bucket and its objects")
                        .describe("Refused (409) while a collection reads the bucket.").returns(ref("Deleted")),

                post("/v1/buckets/{bucket}/objects", OBJECTS, "Create an object").body(objectBody()).returns(ref("Object")),
                post("/v1/buckets/{bucket}/objects/batch", OBJECTS, "Create many objects, all or none")
                        .body(Schemas.object(required("objects", array(objectBody()))))
                        .returns(Schemas.object(required("succeeded", array(ref("Object"))), required("failed", array(anyObject())),
                                optional("total_requested", integer()), optional("succeeded_count", integer()), optional("failed_count", integer()))),
                listing(post("/v1/buckets/{bucket}/objects/list", OBJECTS, "List a bucket's objects"), filters(), sort(),
                        optional("search", about(string(0, 1000), "text matched in ids, keys, blob URLs and metadata")),
                        optional("select", about(strings(), "field paths to return")), caseSensitive().extension()).returns(listOf("Object")),
                get("/v1/buckets/{bucket}/objects/{object}", OBJECTS, "Get an object").returns(ref("Object")),
                patch("/v1/buckets/{bucket}/objects/{object}", OBJECTS, "Change an object's key prefix or metadata")
                        .body(closedObject(optional("key_prefix", string()),
                                optional("metadata", about(anyObject(), "merged as a JSON Merge Patch")).extension(), optional("skip_duplicates", bool())))
                        .returns(ref("Object")),
                delete("/v1/buckets/{bucket}/objects/{object}", OBJECTS, "Delete an object and the documents made from it")
                        .describe("Answered at once; the documents go in the background, and a restart finishes a deletion cut short.")
                        .returnsNothing(204, "Deleted"),

                post("/v1/buckets/{bucket}/batches", BATCHES, "Create a batch (DRAFT)")
                        .body(Schemas.object(required("object_ids", about(strings(1, 100_000), "objects of this bucket")))).returns(ref("Batch")),
                listing(post("/v1/buckets/{bucket}/batches/list", BATCHES, "List a bucket's batches"), status(), limit(), offset(),
                        filters().extension(), sort().extension(), search().extension(), caseSensitive().extension())
                        .returns(Schemas.extensions(listOf("Batch"), "pagination")),
                get("/v1/buckets/{bucket}/batches/{batch}", BATCHES, "Get a batch").returns(ref("Batch")),
                post("/v1/buckets/{bucket}/batches/{batch}/objects", BATCHES, "Add objects to a draft batch")
                        .body(Schemas.object(required("object_ids", strings(1, 100_000)))).returns(ref("Batch")),
                post("/v1/buckets/{bucket}/batches/{batch}/submit", BATCHES, "Submit a batch")
                        .describe("Its objects are processed by every collection that reads the bucket; the answer is the task.")
                        .returns(ref("Task")),
                post("/v1/buckets/{bucket}/batches/{batch}/cancel", BATCHES, "Cancel a batch's pending work").returns(ref("Task")),
                post("/v1/buckets/{bucket}/batches/{batch}/retry", BATCHES, "Retry a batch's failed items")
                        .body(Schemas.object(optional("retry_mode", enumOf("transient_only", "all")),
                                optional("tier_nums", array(integer())), optional("max_retry_count", integer(1, 10))))
                        .returns(Schemas.object(required("success", bool()), required("batch_id", string()), required("task_id", string()),
                                optional("retry_mode", string()), optional("retried_count", integer()), optional("status", string()))),

                listing(post("/v1/tasks/list", TASKS, "List tasks"), filters(), sort(), search(), status(),
                        optional("task_type", string()), caseSensitive().extension())
                        .describe("Without X-Namespace: every namespace the key may read.").returns(listOf("Task")),
                get("/v1/tasks/{task}", TASKS, "Get a task's status and counts").pathParam("task", string(), "its id").returns(ref("Task")),
                delete("/v1/tasks/{task}", TASKS, "Delete a finished task (409 while it still has work)")
                        .pathParam("task", string(), "its id").returns(ref("Deleted")));
    }
}
