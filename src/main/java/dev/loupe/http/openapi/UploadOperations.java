package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.CatalogOperations.listing;
import static dev.loupe.http.openapi.Operation.delete;
import static dev.loupe.http.openapi.Operation.get;
import static dev.loupe.http.openapi.Operation.post;
import static dev.loupe.http.openapi.Operation.put;
import static dev.loupe.http.openapi.Schemas.about;
import static dev.loupe.http.openapi.Schemas.anyObject;
import static dev.loupe.http.openapi.Schemas.array;
import static dev.loupe.http.openapi.Schemas.bool;
import static dev.loupe.http.openapi.Schemas.enumOf;
import static dev.loupe.http.openapi.Schemas.integer;
import static dev.loupe.http.openapi.Schemas.object;
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.pattern;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Mixpeek's presigned upload flow, served by Loupe itself: create an upload, PUT the bytes to
 * its presigned URL on this server, confirm (size and hash checked, the object made).
 */
final class UploadOperations {
    private UploadOperations() {}

    static final String UPLOADS = "Uploads";

    private static ObjectNode create() {
        return object(required("filename", about(string(1, 255), "a plain file name: no '/', '\\\\', '..' or control characters")),
                required("content_type", about(string(3, 255), "a MIME type such as image/jpeg")),
                optional("file_size_bytes", about(integer(1, Long.MAX_VALUE), "the exact size the PUT must have; at most --max-blob-bytes")),
                optional("file_hash", about(pattern(string(64, 64), "^[A-Fa-f0-9]{64}$"),
                        "SHA-256 of the bytes, checked at confirmation; a completed upload of the same hash is a duplicate")),
                optional("skip_duplicates", about(bool(), "default true: a duplicate needs no upload")),
                optional("presigned_url_expiration", about(integer(60, 86_400), "seconds (default 3600)")),
                optional("metadata", about(anyObject(), "at most 64 KiB of JSON")), optional("create_object_on_confirm", bool()),
                optional("object_metadata", about(anyObject(), "the object's metadata; at most 64 KiB of JSON")),
                optional("blob_property", about(pattern(string(1, 100), "^[a-zA-Z0-9_]{1,100}$"), "default: the file name's stem")),
                optional("blob_type", about(enumOf("image", "video", "audio", "text", "pdf", "excel", "json"), "default: from content_type")));
    }

    private static ObjectNode confirmation(boolean withId) {
        ObjectNode c = object(optional("file_size_bytes", integer(1, Long.MAX_VALUE)), optional("etag", about(string(), "the PUT's ETag")));
        if (withId) {
            c.withObject("/properties").set("upload_id", string());
            c.putArray("required").add("upload_id");
        }
        return c;
    }

    static List<Operation> operations() {
        ObjectNode confirmed = object(required("upload_id", string()), required("status", string()), optional("etag", string()),
                optional("file_size_bytes", integer()), optional("file_hash", string()), optional("verified_at", Schemas.dateTime()),
                optional("object_id", string()), optional("task_id", string()), optional("message", string()));
        return List.of(
                post("/v1/buckets/{bucket}/uploads", UPLOADS, "Start an upload: a presigned URL on this Loupe to PUT the file to")
                        .body(create()).returns(ref("Upload")),
                post("/v1/buckets/{bucket}/uploads/batch", UPLOADS, "Start 1 to 100 uploads")
                        .body(object(required("uploads", array(create(), 100).put("minItems", 1)),
                                optional("shared_metadata", about(anyObject(), "merged under each upload's own")),
                                optional("shared_object_metadata", anyObject())))
                        .returns(object(required("uploads", array(ref("Upload"))), optional("total", integer()))),
                listing(post("/v1/buckets/{bucket}/uploads/list", UPLOADS, "List a bucket's uploads (20 a page by default)"),
                        CatalogOperations.filters(), CatalogOperations.sort(),
                        optional("search", about(string(0, 1000), "text matched in file names and metadata")))
                        .returns(object(required("results", array(ref("Upload"))), required("pagination", ref("Pagination")),
                                optional("stats", anyObject()))),
                get("/v1/buckets/{bucket}/uploads/{upload}", UPLOADS, "Get an upload")
                        .pathParam("upload", string(), "its id").returns(ref("Upload")),
                delete("/v1/buckets/{bucket}/uploads/{upload}", UPLOADS, "Cancel or forget an upload")
                        .pathParam("upload", string(), "its id").returnsNothing(204, "Deleted"),
                post("/v1/buckets/{bucket}/uploads/{upload}/confirm", UPLOADS, "Confirm an upload: size and hash are checked, the object made")
                        .pathParam("upload", string(), "its id").body(confirmation(false)).returns(confirmed),
                post("/v1/buckets/{bucket}/uploads/confirm/batch", UPLOADS, "Confirm 1 to 100 uploads; their objects are submitted as one task")
                        .body(object(required("confirmations", array(confirmation(true), 100).put("minItems", 1))))
                        .returns(object(optional("task_id", string()), optional("status", string()), optional("confirmations_count", integer()),
                                optional("task", ref("Task")), optional("message", string()))),
                put("/uploads/{upload}", UPLOADS, "The presigned URL: PUT the file's bytes").open().extension()
                        .describe("Needs no key: the URL's signature, expiry and size bound, as the upload gave them, allow this one PUT."
                                + " A wrong or expired signature is 403, bytes over max_bytes 413.")
                        .pathParam("upload", string(), "the upload's id")
                        .query("expires", integer(), "as in presigned_url").query("max_bytes", integer(), "as in presigned_url")
                        .query("signature", string(), "as in presigned_url")
                        .body(new Operation.Content("application/octet-stream", null))
                        .returnsNothing(200, "Stored; the ETag header is the bytes' MD5, for confirm"));
    }
}
