package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.Operation.delete;
import static dev.loupe.http.openapi.Operation.get;
import static dev.loupe.http.openapi.Operation.post;
import static dev.loupe.http.openapi.Schemas.about;
import static dev.loupe.http.openapi.Schemas.anyObject;
import static dev.loupe.http.openapi.Schemas.array;
import static dev.loupe.http.openapi.Schemas.bool;
import static dev.loupe.http.openapi.Schemas.name;
import static dev.loupe.http.openapi.Schemas.object;
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;
import static dev.loupe.http.openapi.Schemas.strings;

import java.util.List;

/** The service itself: health, keys, thumbnails, metrics, the pages a person opens, and this description. */
final class ServiceOperations {
    private ServiceOperations() {}

    static final String SERVICE = "Service";
    static final String KEYS = "API keys";
    static final String PAGES = "Pages";

    /** The docs page's own files, beside Swagger UI's: {@code DocsRoutes} serves exactly these names. */
    public static final String DOCS_ASSET = "/docs/assets/{file}";

    static List<Operation> operations() {
        return List.of(
                get("/v1/health", SERVICE, "Health of each store, exercised for real").open()
                        .describe("503 when no worker serves the task queue.")
                        .returns(object(required("status", Schemas.enumOf("OK", "DEGRADED")), required("data", anyObject()),
                                optional("errors", anyObject()), optional("meta", anyObject()))),
                get("/health", SERVICE, "Liveness: the process answers").open().extension()
                        .returns(object(required("status", string()))),

                post("/v1/api-keys", KEYS, "Create an API key (admin only)").extension()
                        .body(object(required("name", name()),
                                optional("namespaces", about(strings(), "namespaces it may use (ids or names); none: all")),
                                optional("admin", about(bool(), "may manage keys; cannot be limited to namespaces"))))
                        .returns(ref("ApiKey")),
                get("/v1/api-keys", KEYS, "List API keys (admin only)").extension()
                        .returns(object(required("results", array(ref("ApiKey"))))),
                delete("/v1/api-keys/{key}", KEYS, "Revoke an API key (admin only)").extension()
                        .pathParam("key", string(), "its id").returns(ref("Deleted")),

                get("/thumbnails/{file}", SERVICE, "A thumbnail, by the SHA-256 of its bytes").open().extension()
                        .describe("Needs no key, like a presigned URL: the name cannot be guessed without the image.")
                        .pathParam("file", string(), "<sha256>.jpg, as in a document's thumbnail_url")
                        .returns(200, "image/jpeg", null, "The JPEG"),
                get("/metrics", SERVICE, "Metrics in Prometheus' text format").open().extension()
                        .returns(200, "text/plain", string(), "request latencies, queue depth, items per extractor, model time, index sizes"),

                get("/openapi.json", SERVICE, "This document").open().extension().returns(anyObject()),
                get("/docs", PAGES, "This document, rendered for reading").open().extension()
                        .returns(200, "text/html", null, "The page"),
                get(DOCS_ASSET, PAGES, "The documentation page's scripts and styles").open().extension()
                        .pathParam("file", string(), "one of the page's files")
                        .returns(200, "application/octet-stream", null, "The file"),
                get("/", PAGES, "The search page").open().extension()
                        .describe("Sign in with an API key, search by text or image, browse documents, faces and uploads.")
                        .returns(200, "text/html", null, "The page"),
                get("/web/{file}", PAGES, "The search page's scripts, styles and icon").open().extension()
                        .pathParam("file", string(), "one of the page's files")
                        .returns(200, "application/octet-stream", null, "The file")
        );
    }
}
