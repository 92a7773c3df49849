package dev.loupe.http.openapi;

import static dev.loupe.http.openapi.CatalogOperations.listing;
import static dev.loupe.http.openapi.Operation.delete;
import static dev.loupe.http.openapi.Operation.get;
import static dev.loupe.http.openapi.Operation.patch;
import static dev.loupe.http.openapi.Operation.post;
import static dev.loupe.http.openapi.Operation.put;
import static dev.loupe.http.openapi.Schemas.about;
import static dev.loupe.http.openapi.Schemas.anyObject;
import static dev.loupe.http.openapi.Schemas.array;
import static dev.loupe.http.openapi.Schemas.bool;
import static dev.loupe.http.openapi.Schemas.closedObject;
import static dev.loupe.http.openapi.Schemas.listOf;
import static dev.loupe.http.openapi.Schemas.name;
import static dev.loupe.http.openapi.Schemas.object;
import static dev.loupe.http.openapi.Schemas.optional;
import static dev.loupe.http.openapi.Schemas.ref;
import static dev.loupe.http.openapi.Schemas.required;
import static dev.loupe.http.openapi.Schemas.string;
import static dev.loupe.http.openapi.Schemas.strings;

import java.util.List;

/** Collections, their documents, the feature extractors that make them, and clusters over them. */
final class CollectionOperations {
    private CollectionOperations() {}

    static final String COLLECTIONS = "Collections";
    static final String DOCUMENTS = "Documents";
    static final String EXTRACTORS = "Feature extractors";
    static final String CLUSTERS = "Clusters";

    static List<Operation> operations() {
        var source = about(object(required("type", about(string(), "bucket or collection")),
                        optional("bucket_ids", strings()), optional("bucket_id", string()),
                        optional("collection_id", string())),
                "the buckets whose objects it processes, or the collection whose documents it processes");
        var extractor = object(required("feature_extractor_name", string()), optional("version", about(string(), "default v1")),
                optional("input_mappings", about(Schemas.oneOf(anyObject(), array(anyObject())),
                        "{input: path} (payload.<field>), or a list of {input_key, source_type, path}")),
                optional("field_passthrough", array(object(required("source_path", string()), optional("target_path", string()),
                        optional("default", Schemas.any()), optional("required", bool())))),
                optional("include_all_source_fields", bool()),
                optional("parameters", about(anyObject(), "checked against the extractor's parameter schema (GET /v1/collections/features/extractors/{id})")));
        var documentUpdate = about(anyObject(), "the document's fields to set; ids, vectors and extractor outputs cannot change");
        var cluster = about(object(required("collection_ids", strings(1, 16)),
                        optional("cluster_name", name()), optional("description", string(0, 4096)).extension(),
                        optional("cluster_type", about(string(), "vector (the only one Loupe runs)")),
                        required("vector_config", object(
                                required("clustering_method", Schemas.enumOf("hdbscan", "dbscan", "kmeans", "agglomerative")),
                                optional("algorithm_params", about(anyObject(), "the method's parameters (or <method>_parameters)")),
                                optional("feature_uri", string()), optional("feature_uris", strings(0, 1)),
                                optional("sample_size", Schemas.integer(2, 10_000)))),
                        optional("filters", anyObject()), optional("metadata", anyObject()).extension()),
                "a clustering of collections' vectors; executing it writes each document's cluster");
        var run = ref("ClusterExecution");
        return List.of(
                post("/v1/collections", COLLECTIONS, "Create a collection").body(object(
                        required("collection_name", name()), optional("description", string()), required("source", source),
                        required("feature_extractor", extractor), optional("metadata", anyObject())))
                        .returns(ref("Collection")),
                listing(post("/v1/collections/list", COLLECTIONS, "List collections"), CatalogOperations.filters(), CatalogOperations.sort(),
                        CatalogOperations.search(), CatalogOperations.caseSensitive()).returns(listOf("Collection")),
                get("/v1/collections/{collection}", COLLECTIONS, "Get a collection").returns(ref("Collection")),
                patch("/v1/collections/{collection}", COLLECTIONS, "Rename a collection or change its description or metadata")
                        .body(closedObject(optional("collection_name", name()), optional("description", string()), optional("metadata", anyObject())))
                        .returns(ref("Collection")),
                delete("/v1/collections/{collection}", COLLECTIONS, "Delete a collection and its documents")
                        .describe("Refused (409) while another collection or a retriever reads it.").returns(ref("Deleted")),

                post("/v1/collections/{collection}/documents/list", DOCUMENTS, "List or filter a collection's documents")
                        .body(closedObject(optional("filters", anyObject()), optional("sort", anyObject()),
                                optional("group_by", about(string(), "a field (dot path): the answer is groups of documents instead")),
                                optional("select", about(strings(0, 256), "field paths to return")),
                                optional("return_vectors", bool()), optional("return_url", bool()), optional("cursor", string())))
                        .query("limit", Schemas.integer(0, 1000), "page size (default 10)")
                        .query("offset", Schemas.integer(0, Integer.MAX_VALUE), "results skipped")
                        .query("cursor", string(), "next_cursor of the previous page")
                        .returns(Schemas.oneOf(listOf("Document"), object(
                                required("groups", array(object(required("group_key", Schemas.any()), required("count", Schemas.integer()),
                                        required("documents", array(ref("Document")))))),
                                optional("group_by_field", string()), optional("pagination", ref("Pagination")), optional("stats", anyObject())))),
                get("/v1/collections/{collection}/documents/{document}", DOCUMENTS, "Get a document")
                        .pathParam("document", string(), "its id")
                        .query("return_vectors", bool(), "include the embeddings").returns(ref("Document")),
                patch("/v1/collections/{collection}/documents/{document}", DOCUMENTS, "Merge fields into a document")
                        .pathParam("document", string(), "its id").body(documentUpdate).returns(ref("Document")),
                put("/v1/collections/{collection}/documents/{document}", DOCUMENTS, "Replace a document's own fields")
                        .pathParam("document", string(), "its id").body(documentUpdate).returns(ref("Document")),
                delete("/v1/collections/{collection}/documents/{document}", DOCUMENTS, "Delete a document")
                        .pathParam("document", string(), "its id").returns(ref("Deleted")),

                get("/v1/collections/features/extractors", EXTRACTORS, "List the feature extractors this Loupe runs")
                        .returns(Schemas.array(ref("FeatureExtractor"))),
                get("/v1/collections/features/extractors/{extractor}", EXTRACTORS, "Get a feature extractor: its parameters and outputs")
                        .pathParam("extractor", string(), "name_version, e.g. image_extractor_v1").returns(ref("FeatureExtractor")),

                post("/v1/clusters", CLUSTERS, "Create a cluster definition").body(cluster).returns(ref("ClusterMetadata")),
                listing(post("/v1/clusters/list", CLUSTERS, "List cluster definitions"), CatalogOperations.filters(), CatalogOperations.sort(),
                        CatalogOperations.search(), CatalogOperations.caseSensitive().extension()).returns(listOf("ClusterMetadata")),
                get("/v1/clusters/{cluster}", CLUSTERS, "Get a cluster definition").returns(ref("ClusterMetadata")),
                patch("/v1/clusters/{cluster}", CLUSTERS, "Rename a cluster definition or change its description or metadata")
                        .body(closedObject(optional("cluster_name", name()), optional("description", string()), optional("metadata", anyObject())))
                        .returns(ref("Cluster")),
                delete("/v1/clusters/{cluster}", CLUSTERS, "Delete a cluster definition and its executions").returns(ref("Deleted")),
                post("/v1/clusters/{cluster}/execute", CLUSTERS, "Execute a clustering (a task)").returns(ref("Task")),
                get("/v1/clusters/{cluster}/executions", CLUSTERS, "Get the latest execution").returns(run),
                get("/v1/clusters/{cluster}/executions/{run}", CLUSTERS, "Get an execution")
                        .pathParam("run", string(), "its id").returns(run),
                post("/v1/clusters/{cluster}/merge", CLUSTERS, "Merge clusters of the latest execution into one").extension()
                        .describe("A person's correction, kept across later executions as a must-link.")
                        .body(object(required("source_cluster_ids", strings(1, 1000)), required("target_cluster_id", string())))
                        .returns(run),
                post("/v1/clusters/{cluster}/move", CLUSTERS, "Move documents to another cluster").extension()
                        .describe("A person's correction, kept across later executions as a cannot-link with the old cluster.")
                        .body(object(required("document_ids", strings(1, 1000)), required("target_cluster_id", string())))
                        .returns(run));
    }
}
