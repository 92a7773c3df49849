package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.CatalogOperations.listing;
import static dev.loupe.http.openapi.Operation.delete;
import static dev.loupe.http.openapi.Operation.get;
import static dev.loupe.http.openapi.Operation.post;
import static dev.loupe.http.openapi.Schemas.about;
import static dev.loupe.http.openapi.Schemas.anyObject;
import static dev.loupe.http.openapi.Schemas.array;
import static dev.loupe.http.openapi.Schemas.bool;
import static dev.loupe.http.openapi.Schemas.integer;
import static dev.loupe.http.openapi.Schemas.listOf;
import static dev.loupe.http.openapi.Schemas.object;
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Mixpeek's presigned upload flow, served by Loupe itself: create an upload, PUT the bytes to
 * its presigned URL, confirm. Bounds the uploads routes enforce belong in these schemas as
 * they settle.
 */
final class UploadOperations {
    private UploadOperations() {}

    static final String UPLOADS = "Uploads";

    private static ObjectNode create() {
        return object(required("filename", string()), required("content_type", string()),
                optional("file_size_bytes", about(integer(), "the exact size the PUT must have")),
                optional("file_hash", about(string(), "SHA-256 of the bytes, checked at confirmation; finds duplicates")),
                optional("skip_duplicates", bool()), optional("presigned_url_expiration", about(integer(), "seconds")),
                optional("metadata", anyObject()), optional("create_object_on_confirm", bool()),
                optional("object_metadata", anyObject()), optional("blob_property", string()), optional("blob_type", string()));
    }

    static List<Operation> operations() {
        ObjectNode confirm = object(optional("file_size_bytes", integer()), optional("etag", string()));
        ObjectNode confirmation = object(required("upload_id", string()), optional("file_size_bytes", integer()), optional("etag", string()));
        return List.of(
                post("/v1/buckets/{bucket}/uploads", UPLOADS, "Start an upload: a presigned URL on this Loupe to PUT the file to")
                        .body(create()).returns(ref("Upload")),
                listing(post("/v1/buckets/{bucket}/uploads/list", UPLOADS, "List a bucket's uploads"), CatalogOperations.filters(),
                        CatalogOperations.sort(), CatalogOperations.search(), optional("return_presigned_urls", bool()),
                        CatalogOperations.limit(), CatalogOperations.offset()).returns(listOf("Upload")),
                get("/v1/buckets/{bucket}/uploads/{upload_id}", UPLOADS, "Get an upload")
                        .pathParam("upload_id", string(), "its id").returns(ref("Upload")),
                delete("/v1/buckets/{bucket}/uploads/{upload_id}", UPLOADS, "Cancel or forget an upload")
                        .pathParam("upload_id", string(), "its id").returns(ref("Deleted")),
                post("/v1/buckets/{bucket}/uploads/{upload_id}/confirm", UPLOADS, "Confirm an upload: size and hash are checked, the object made")
                        .pathParam("upload_id", string(), "its id").body(confirm)
                        .returns(object(required("upload_id", string()), optional("status", string()), optional("object_id", string()),
                                optional("task_id", string()), optional("file_hash", string()), optional("file_size_bytes", integer()),
                                optional("message", string()), optional("verified_at", Schemas.dateTime()))),
                post("/v1/buckets/{bucket}/uploads/batch", UPLOADS, "Start many uploads")
                        .body(object(required("uploads", array(create())), optional("shared_metadata", anyObject()),
                                optional("shared_object_metadata", anyObject())))
                        .returns(anyObject()),
                post("/v1/buckets/{bucket}/uploads/confirm/batch", UPLOADS, "Confirm many uploads")
                        .body(object(required("confirmations", array(confirmation)))).returns(anyObject())
                // PRESIGNED PUT TARGET: the uploads routes decide its path; document it here, e.g.
                // put("/uploads/{token}", UPLOADS, "Upload the bytes (the presigned URL)").open().extension()
                //         .describe("...").returns(200, "application/json", null, "Stored"),
                // with its body as application/octet-stream (see Operation.Reply for non-JSON media types).
        );
    }
}
