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
        ObjectNode publicName = Schemas.pattern(string(3, 50), "^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$");
        ObjectNode tags = about(array(string(0, 100), 50), "at most 50 tags of at most 100 characters");
        ObjectNode display = about(anyObject(), "title, inputs, exposed_fields (at most 100), field_mappings (at most 50); at most 200000 characters");
        ObjectNode rateLimit = about(anyObject(),
                "tier (standard, elevated, enterprise, unlimited) or requests_per_minute/_hour/_day;"
                        + " enable_ip_limits, max_requests_per_ip_hour, max_results_per_query");
        ObjectNode publish = closedObject(required("public_name", about(publicName, "the name in the public URLs")),
                optional("description", string(0, 500)), optional("icon_base64", string(0, 300_000)),
                optional("display_config", display), optional("rate_limit_config", rateLimit),
                optional("password_secret_name", about(string(), "refused (422): Loupe keeps no organization secrets")),
                optional("include_metadata", bool()), optional("tags", tags), optional("category", string(0, 50)));
        ObjectNode publicExecution = closedObject(optional("inputs", anyObject()),
                optional("settings", about(object(optional("limit", integer(1, 1000))), "what Mixpeek's search widget sends")).extension(),
                optional("limit", integer(1, 1000)).extension(), optional("offset", integer(0, 10_000)).extension(),
                optional("stream", about(bool(), "server-sent stage events, as Accept: text/event-stream")));
        String streaming = "With the publication's X-Public-API-Key, which executes this retriever only; rate-limited (429 with Retry-After);"
                + " open to cross-origin requests. With Accept: text/event-stream (or stream: true) the answer is server-sent events:"
                + " stage_start, stage_complete, execution_complete, then [DONE].";
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
                listing(post("/v1/retrievers/list", RETRIEVERS, "List retrievers"), CatalogOperations.filters(),
                        optional("sorts", about(array(anyObject()), "[{field, direction}]")), CatalogOperations.sort().extension(),
                        CatalogOperations.search(), CatalogOperations.caseSensitive()).returns(Schemas.extensions(listOf("Retriever"), "pagination")),
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
                        .returns(object(required("public_id", string()), required("retriever_id", string()), required("public_url", string()),
                                required("short_url", string()),
                                required("public_api_key", about(string(), "ret_sk_...: executes this retriever and nothing else; shown this once")))),
                get("/v1/retrievers/{retriever}/publish", PUBLISHED, "Get a retriever's publication").returns(ref("PublishedRetriever")),
                patch("/v1/retrievers/{retriever}/publish", PUBLISHED, "Change a publication's display, rate limit, state, tags or category")
                        .body(closedObject(optional("display_config", display), optional("rate_limit_config", rateLimit),
                                optional("password_secret_name", about(string(), "refused (422) unless empty")),
                                optional("is_active", bool()), optional("tags", tags), optional("category", string(0, 50))))
                        .returns(ref("PublishedRetriever")),
                delete("/v1/retrievers/{retriever}/publish", PUBLISHED, "Unpublish a retriever: its public key stops working at once")
                        .returns(ref("Deleted")),
                get("/v1/retrievers/{retriever}/publish/availability", PUBLISHED, "Whether a public name is free")
                        .query("name", publicName, "the public name wanted (required)")
                        .returns(object(required("name", string()), required("available", bool()))),
                get("/v1/retrievers/published", PUBLISHED, "List the namespace's published retrievers")
                        .query("limit", integer(0, 1000), "page size").query("offset", integer(0, Integer.MAX_VALUE), "results skipped")
                        .returns(object(required("results", array(ref("PublishedRetriever"))), optional("total", integer()))),
                post("/v1/public/retrievers/{public_name}/execute", PUBLISHED, "Execute a published retriever").describe(streaming)
                        .publicKey().pathParam("public_name", string(), "the publication's public name")
                        .body(publicExecution).returns(ref("Execution")),
                post("/v1/public/retrievers/execute", PUBLISHED, "Execute the published retriever the public key opens").extension()
                        .describe("What Mixpeek's search widget calls when it is given no retriever name. " + streaming)
                        .publicKey().body(publicExecution).returns(ref("Execution")),
                get("/v1/public/retrievers/{public_name}/config", PUBLISHED, "A published retriever's display configuration, for the widget")
                        .publicKey().pathParam("public_name", string(), "the publication's public name")
                        .returns(object(required("public_name", string()), required("display_config", anyObject()),
                                required("password_protected", bool()), optional("public_api_key", Schemas.nullable(string())),
                                optional("retriever_metadata", anyObject()))));
    }
}
