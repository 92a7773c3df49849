package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.CatalogOperations.listing;
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
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;
import static dev.loupe.http.openapi.Schemas.strings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Retrievers: their definitions, execution, and publishing for a website. */
final class RetrieverOperations {
    private RetrieverOperations() {}

    static final String RETRIEVERS = "Retrievers";
    static final String PUBLISHED = "Published retrievers";

    private static ObjectNode stages() {
        return about(Schemas.array(object(required("stage_name", string()), optional("stage_type", string()),
                        optional("config", object(required("stage_id", string()), optional("parameters", anyObject()),
                                optional("pre_filters", anyObject()), optional("post_filters", anyObject()))))).put("minItems", 1),
                "Mixpeek's stages, {stage_name, config: {stage_id, parameters}} (the seed's {stage_id, parameters} too);"
                        + " GET /v1/retrievers/stages lists each stage's parameters");
    }

    /** How an execution is paged: Mixpeek's {@code pagination}, or the seed's {@code limit} and {@code offset}. */
    private static ObjectNode execution() {
        return object(optional("inputs", about(anyObject(), "values for the input_schema, read by {{INPUT.name}} in stages")),
                optional("pagination", object(optional("method", enumOf("offset", "cursor")), optional("page_size", integer(1, 1000)),
                        optional("page_number", integer(1, 1_000_000)), optional("limit", integer(1, 1000)), optional("cursor", string()))),
                optional("limit", about(integer(1, 1000), "the seed's paging, when pagination is absent")).extension(),
                optional("offset", integer(0, 1_000_000)).extension(),
                optional("return_vectors", about(bool(), "each document's embedding (default true)")).extension());
    }

    static List<Operation> operations() {
        ObjectNode collections = about(strings(), "ids or names; at least one, here or in collection_ids");
        ObjectNode adhoc = execution();
        adhoc.withObject("/properties").set("collection_identifiers", collections);
        adhoc.withObject("/properties").set("collection_ids",
                about(strings(), "read when collection_identifiers is absent").put(ApiDocument.EXTENSION, true));
        adhoc.withObject("/properties").set("stages", stages());
        adhoc.withObject("/properties").set("input_schema", anyObject());
        Schemas.extensions(adhoc, "pagination"); // Mixpeek's ad hoc request pages with neither
        ObjectNode publish = object(required("public_name", about(string(), "the name in the public URLs")),
                optional("description", string()), optional("display_config", anyObject()),
                optional("rate_limit_config", anyObject()), optional("include_metadata", bool()));
        return List.of(
                post("/v1/retrievers", RETRIEVERS, "Create a retriever").body(object(
                        required("retriever_name", name()), optional("description", string()),
                        optional("collection_identifiers", collections),
                        optional("collection_ids", about(strings(), "read when collection_identifiers is absent")).extension(),
                        optional("input_schema", anyObject()),
                        required("stages", stages())))
                        .returns(object(required("retriever", ref("Retriever")),
                                optional("retriever_id", about(string(), "copies for clients that read the id without unwrapping")).extension(),
                                optional("retriever_name", string()).extension())),
                listing(post("/v1/retrievers/list", RETRIEVERS, "List retrievers"), CatalogOperations.FILTERS,
                        optional("sorts", about(array(anyObject()), "[{field, direction}]")), CatalogOperations.SORT.extension(),
                        CatalogOperations.SEARCH, CatalogOperations.CASE_SENSITIVE).returns(Schemas.extensions(listOf("Retriever"), "pagination")),
                get("/v1/retrievers/stages", RETRIEVERS, "The stage catalogue, each stage with its parameter schema")
                        .returns(array(object(required("stage_id", string())))),
                get("/v1/retrievers/{retriever}", RETRIEVERS, "Get a retriever").returns(ref("Retriever")),
                patch("/v1/retrievers/{retriever}", RETRIEVERS, "Rename or redescribe a retriever")
                        .describe("Its collections, stages and input schema cannot change: create a new retriever.")
                        .body(closedObject(optional("retriever_name", name()), optional("description", string())))
                        .returns(object(required("retriever", ref("Retriever")))),
                delete("/v1/retrievers/{retriever}", RETRIEVERS, "Delete a retriever").returns(ref("Deleted")),
                post("/v1/retrievers/{retriever}/execute", RETRIEVERS, "Execute a retriever").body(execution()).returns(ref("Execution")),
                post("/v1/retrievers/{retriever}/execute/explain", RETRIEVERS, "Explain how a retriever would run, without running it")
                        .body(object(optional("inputs", anyObject()))).returns(anyObject()),
                post("/v1/retrievers/execute", RETRIEVERS, "Execute stages without saving a retriever").body(adhoc).returns(ref("Execution")),

                post("/v1/retrievers/{retriever}/publish", PUBLISHED, "Publish a retriever for a website").body(publish)
                        .returns(object(required("retriever_id", string()), optional("public_id", string()), optional("public_url", string()),
                                optional("short_url", string()),
                                optional("public_api_key", about(string(), "the key that executes this retriever and nothing else")))),
                get("/v1/retrievers/{retriever}/publish", PUBLISHED, "Get a retriever's publication").returns(ref("PublishedRetriever")),
                patch("/v1/retrievers/{retriever}/publish", PUBLISHED, "Change a publication's display, rate limit or state")
                        .body(object(optional("display_config", anyObject()), optional("rate_limit_config", anyObject()), optional("is_active", bool())))
                        .returns(ref("PublishedRetriever")),
                delete("/v1/retrievers/{retriever}/publish", PUBLISHED, "Unpublish a retriever").returns(ref("Deleted")),
                get("/v1/retrievers/published", PUBLISHED, "List the namespace's published retrievers")
                        .query("limit", integer(0, 1000), "page size").query("offset", integer(0, Integer.MAX_VALUE), "results skipped")
                        .returns(anyObject()),
                post("/v1/public/retrievers/{public_name}/execute", PUBLISHED, "Execute a published retriever")
                        .describe("With the publication's X-Public-API-Key, which executes this retriever only; rate-limited;"
                                + " open to cross-origin requests. With Accept: text/event-stream, stage events are streamed.")
                        .publicKey().pathParam("public_name", string(), "the publication's public name")
                        .body(object(optional("inputs", anyObject()), optional("pagination", anyObject()), optional("stream", bool()),
                                optional("settings", about(object(optional("limit", integer())), "what Mixpeek's search widget sends")).extension()))
                        .returns(ref("Execution")),
                get("/v1/public/retrievers/{public_name}/config", PUBLISHED, "A published retriever's display configuration")
                        .open().pathParam("public_name", string(), "the publication's public name").returns(anyObject()));
    }
}
