package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.Prism;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint Loupe serves, successes and error paths, sent through Stoplight Prism's
 * validating proxy: Prism checks each request and response against Mixpeek's OpenAPI
 * document, and the test fails listing every response that breaks it, and every request
 * sent as valid that does not use Mixpeek's field names.
 *
 * <p>The flow is a list of small named steps ({@link #steps()}); a step may capture a
 * field of its response (an id) as {@code ${name}} for later paths and bodies. Add a step
 * for each new endpoint, and one for each of its error answers.
 */
class PrismContractTest {
    private static final String NS = "prism-shop";
    private static final String BAD_KEY = "lpk_not_a_key_that_exists_0123456789abcd";

    @TempDir
    static Path data;
    private static TestServer server;
    private static ImageHost images;
    private static Prism prism;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        images = new ImageHost();
        prism = Prism.proxy(server.base());
    }

    @AfterAll
    static void stop() {
        if (prism != null) prism.close();
        if (images != null) images.close();
        if (server != null) server.close();
    }

    /**
     * How a step's request is meant: as a Mixpeek client would send it (Prism must find nothing
     * wrong with it), deliberately wrong (Prism may), or to one of Loupe's own endpoints that
     * Mixpeek's document lacks (Prism must say it found no such route, and checks nothing).
     */
    enum Sent { VALID, MALFORMED, NOT_IN_DOCUMENT }

    /**
     * Mixpeek's document declares no 409 for the resources Loupe serves, though it promises
     * "409 Conflict" for unique-key clashes in prose; Loupe answers a name clash with 409 and
     * Mixpeek's error shape. Prism then warns that the status is undeclared and checks no body,
     * so the flow accepts that one warning on a 409 and checks the body against ErrorResponse itself.
     */
    private static final String UNDECLARED_STATUS = "Unable to match the returned status code";
    private static final String NO_ROUTE = "Selected route not found";

    /** One step of the flow. */
    sealed interface Step permits Call, AwaitTask, PutBytes {
        String name();
    }

    /**
     * A request and the status it must get. {@code key} is the bearer key (null: none);
     * {@code captures} maps a variable name to a JSON pointer into the response.
     */
    record Call(String name, String method, String path, String body, int status, Sent sent, String key, String namespace,
                Map<String, String> captures, String schema) implements Step {
        Call expect(int expected) {
            return new Call(name, method, path, body, expected, sent, key, namespace, captures, schema);
        }

        Call malformed() {
            return new Call(name, method, path, body, status, Sent.MALFORMED, key, namespace, captures, schema);
        }

        Call notInDocument() {
            return new Call(name, method, path, body, status, Sent.NOT_IN_DOCUMENT, key, namespace, captures, schema);
        }

        /** The bearer key, null for none; {@code ${variable}} takes a captured one. */
        Call key(String bearer) {
            return new Call(name, method, path, body, status, sent, bearer, namespace, captures, schema);
        }

        Call namespace(String ns) {
            return new Call(name, method, path, body, status, sent, key, ns, captures, schema);
        }

        Call capture(String variable, String pointer) {
            Map<String, String> more = new LinkedHashMap<>(captures);
            more.put(variable, pointer);
            return new Call(name, method, path, body, status, sent, key, namespace, Map.copyOf(more), schema);
        }

        /** Also holds the response body to a component schema: for answers whose schema the document leaves empty. */
        Call conformsTo(String component) {
            return new Call(name, method, path, body, status, sent, key, namespace, captures, component);
        }
    }

    /** Polls {@code GET /v1/tasks/${variable}} through the proxy until the task has finished; it must complete. */
    record AwaitTask(String name, String variable) implements Step {
    }

    /**
     * PUTs bytes to the presigned URL captured as {@code ${variable}}: on Loupe itself, not through
     * Prism, as a client sends a file to S3 rather than to Mixpeek's API; it must answer 200.
     */
    record PutBytes(String name, String variable, byte[] bytes) implements Step {
    }

    static Call call(String name, String method, String path, String body) {
        return new Call(name, method, path, body, 200, Sent.VALID, TestServer.ADMIN_KEY, NS, Map.of(), null);
    }

    static Call get(String name, String path) {
        return call(name, "GET", path, null);
    }

    static Call delete(String name, String path) {
        return call(name, "DELETE", path, null);
    }

    private List<Step> steps() {
        String red = images.put("/prism/red.jpg", Images.jpeg(Images.dominant(Images.BASIC.get("red"), 320, 240, 1)));
        String blue = images.put("/prism/blue.jpg", Images.jpeg(Images.dominant(Images.BASIC.get("blue"), 320, 240, 2)));
        String green = images.put("/prism/green.jpg", Images.jpeg(Images.dominant(Images.BASIC.get("green"), 320, 240, 3)));
        byte[] upload = Images.jpeg(Images.dominant(Images.BASIC.get("white"), 320, 240, 4));
        String object = """
                {"key_prefix": "/prism", "blobs": [{"property": "image_url", "type": "image", "data": "%s"}],
                 "metadata": {"product_id": "%s", "brand": "Acme"}}""";
        String search = """
                "stages": [{"stage_name": "search", "stage_type": "filter",
                            "config": {"stage_id": "feature_search",
                                       "parameters": {"searches": [{"feature_uri": "mixpeek://image_extractor@v1/embedding",
                                                                    "query": {"input_mode": "text", "value": "{{INPUT.query}}"},
                                                                    "top_k": 10}],
                                                      "final_top_k": 10}}}]""";
        return List.of(
                // namespaces
                call("create namespace", "POST", "/v1/namespaces", """
                        {"namespace_name": "prism-shop", "description": "contract flow",
                         "feature_extractors": [{"feature_extractor_name": "image_extractor", "version": "v1"}]}"""),
                call("create namespace again", "POST", "/v1/namespaces", """
                        {"namespace_name": "prism-shop", "feature_extractors": [{"feature_extractor_name": "image_extractor", "version": "v1"}]}""").expect(409),
                call("create namespace without a name", "POST", "/v1/namespaces", "{\"description\": \"x\"}").expect(422).malformed(),
                call("list namespaces", "POST", "/v1/namespaces/list", "{}"),
                get("get namespace", "/v1/namespaces/prism-shop"),
                get("get unknown namespace", "/v1/namespaces/ns_missing").expect(404),
                call("list namespaces by name", "POST", "/v1/namespaces/list",
                        "{\"filters\": {\"namespace_name\": \"prism-shop\"}, \"sort\": {\"field\": \"created_at\", \"direction\": \"desc\"}}"),
                call("update namespace", "PATCH", "/v1/namespaces/prism-shop", "{\"description\": \"contract flow, edited\"}"),
                // health and the extractor catalogue, which a client reads first
                get("health", "/v1/health").key(null),
                get("list feature extractors", "/v1/collections/features/extractors"),
                get("get feature extractor", "/v1/collections/features/extractors/image_extractor_v1"),
                get("get unknown feature extractor", "/v1/collections/features/extractors/no_such_extractor_v1").expect(404),
                // authentication
                call("list buckets without a key", "POST", "/v1/buckets/list", "{}").key(null).expect(401),
                call("list buckets with an unknown key", "POST", "/v1/buckets/list", "{}").key(BAD_KEY).expect(401),
                // buckets
                call("create bucket", "POST", "/v1/buckets", """
                        {"bucket_name": "prism-products", "description": "images",
                         "bucket_schema": {"properties": {"image_url": {"type": "image"}, "product_id": {"type": "string"},
                                                          "brand": {"type": "string"}}}}""").capture("bucket", "/bucket_id"),
                call("create bucket again", "POST", "/v1/buckets", """
                        {"bucket_name": "prism-products", "bucket_schema": {"properties": {"image_url": {"type": "image"}}}}""").expect(409),
                call("create bucket with an unknown field type", "POST", "/v1/buckets", """
                        {"bucket_name": "prism-bad", "bucket_schema": {"properties": {"x": {"type": "colour"}}}}""").expect(422).malformed(),
                call("list buckets", "POST", "/v1/buckets/list", "{}"),
                get("get bucket", "/v1/buckets/${bucket}"),
                get("get unknown bucket", "/v1/buckets/bkt_missing").expect(404),
                call("search buckets", "POST", "/v1/buckets/list", "{\"search\": \"PRISM\", \"sort\": {\"field\": \"bucket_name\"}}"),
                call("update bucket", "PATCH", "/v1/buckets/prism-products", "{\"description\": \"product images\", \"metadata\": {\"team\": \"web\"}}"),
                call("change a bucket's schema", "PATCH", "/v1/buckets/prism-products", "{\"metadata\": {}, \"bucket_id\": \"bkt_other\"}").expect(422),
                // objects
                call("create object", "POST", "/v1/buckets/prism-products/objects", object.formatted(red, "P-1")).capture("red", "/object_id"),
                // Mixpeek's document lets a blob go without data (other modes upload it later); Loupe needs it now.
                call("create object without blob data", "POST", "/v1/buckets/prism-products/objects", """
                        {"blobs": [{"property": "image_url", "type": "image"}]}""").expect(422),
                call("create objects in a batch", "POST", "/v1/buckets/prism-products/objects/batch",
                        "{\"objects\": [" + object.formatted(blue, "P-2") + ", " + object.formatted(green, "P-3") + "]}")
                        .capture("blue", "/succeeded/0/object_id").capture("green", "/succeeded/1/object_id"),
                call("list objects", "POST", "/v1/buckets/prism-products/objects/list", "{}"),
                get("get object", "/v1/buckets/prism-products/objects/${red}"),
                get("get unknown object", "/v1/buckets/prism-products/objects/obj_missing").expect(404),
                call("list objects with filters, sort, search and select", "POST", "/v1/buckets/prism-products/objects/list", """
                        {"filters": {"AND": [{"field": "metadata.brand", "operator": "eq", "value": "acme"}]},
                         "sort": {"field": "metadata.product_id", "direction": "desc"}, "search": "P-", "select": ["metadata.product_id"]}"""),
                // Mixpeek's list requests allow unknown fields; Loupe refuses one it would otherwise ignore.
                call("list objects grouped, which objects/list cannot do", "POST", "/v1/buckets/prism-products/objects/list",
                        "{\"group_by\": \"metadata.brand\"}").expect(422),
                call("update object", "PATCH", "/v1/buckets/prism-products/objects/${red}", "{\"key_prefix\": \"/prism/red\"}"),
                call("create objects in an unknown bucket", "POST", "/v1/buckets/bkt_missing/objects", object.formatted(red, "P-9")).expect(404),
                // batches and tasks
                call("create batch", "POST", "/v1/buckets/prism-products/batches", "{\"object_ids\": [\"${red}\"]}").capture("batch", "/batch_id"),
                call("create batch of unknown objects", "POST", "/v1/buckets/prism-products/batches", "{\"object_ids\": [\"obj_missing\"]}").expect(422),
                call("add objects to batch", "POST", "/v1/buckets/prism-products/batches/${batch}/objects", "{\"object_ids\": [\"${blue}\"]}"),
                call("list batches", "POST", "/v1/buckets/prism-products/batches/list", "{}"),
                get("get batch", "/v1/buckets/prism-products/batches/${batch}"),
                get("get unknown batch", "/v1/buckets/prism-products/batches/btch_missing").expect(404),
                call("cancel a draft batch", "POST", "/v1/buckets/prism-products/batches/${batch}/cancel", null).expect(409),
                // collections: creating one processes the bucket's objects
                call("create collection", "POST", "/v1/collections", """
                        {"collection_name": "prism-images", "source": {"type": "bucket", "bucket_ids": ["${bucket}"]},
                         "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                           "input_mappings": {"image": "payload.image_url"},
                           "field_passthrough": [{"source_path": "metadata.brand"}], "parameters": {"enable_thumbnails": true}}}""")
                        .capture("backfill", "/task_id").capture("collection", "/collection_id"),
                new AwaitTask("await collection backfill", "backfill"),
                call("create collection again", "POST", "/v1/collections", """
                        {"collection_name": "prism-images", "source": {"type": "bucket", "bucket_ids": ["${bucket}"]},
                         "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                           "input_mappings": {"image": "payload.image_url"}}}""").expect(409),
                call("create collection with an unknown extractor", "POST", "/v1/collections", """
                        {"collection_name": "prism-bad", "source": {"type": "bucket", "bucket_ids": ["${bucket}"]},
                         "feature_extractor": {"feature_extractor_name": "no_such_extractor", "version": "v1"}}""").expect(422),
                call("submit batch", "POST", "/v1/buckets/prism-products/batches/${batch}/submit", "{}").capture("task", "/task_id"),
                new AwaitTask("await batch task", "task"),
                call("add objects to a submitted batch", "POST", "/v1/buckets/prism-products/batches/${batch}/objects",
                        "{\"object_ids\": [\"${green}\"]}").expect(409),
                get("get task", "/v1/tasks/${task}"),
                get("get unknown task", "/v1/tasks/task_missing").expect(404),
                get("get task without a namespace, as Mixpeek's clients do", "/v1/tasks/${task}").namespace(null),
                call("list tasks by status", "POST", "/v1/tasks/list", "{\"status\": \"COMPLETED\"}").namespace(null),
                call("list a collection's tasks", "POST", "/v1/tasks/list",
                        "{\"filters\": {\"field\": \"inputs\", \"operator\": \"contains\", \"value\": \"${collection}\"}}"),
                call("list batches by status", "POST", "/v1/buckets/prism-products/batches/list", "{\"status\": \"COMPLETED\", \"limit\": 10}"),
                call("cancel a finished batch", "POST", "/v1/buckets/prism-products/batches/${batch}/cancel", null),
                call("retry a batch", "POST", "/v1/buckets/prism-products/batches/${batch}/retry", "{\"retry_mode\": \"all\", \"max_retry_count\": 2}"),
                call("retry a batch with an unknown mode", "POST", "/v1/buckets/prism-products/batches/${batch}/retry",
                        "{\"retry_mode\": \"sometimes\"}").expect(422).malformed(),
                call("list tasks", "POST", "/v1/tasks/list", "{}"),
                call("list collections", "POST", "/v1/collections/list", "{}"),
                get("get collection", "/v1/collections/prism-images"),
                get("get unknown collection", "/v1/collections/col_missing").expect(404),
                call("search collections", "POST", "/v1/collections/list", "{\"search\": \"images\"}"),
                call("update collection", "PATCH", "/v1/collections/prism-images", "{\"description\": \"edited\"}"),
                call("change a collection's extractor", "PATCH", "/v1/collections/prism-images",
                        "{\"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v2\"}}").expect(422),
                call("create collection with list-form input mappings", "POST", "/v1/collections", """
                        {"collection_name": "prism-listed", "source": {"type": "bucket", "bucket_ids": ["${bucket}"]},
                         "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                           "input_mappings": [{"input_key": "image", "source_type": "payload", "path": "image_url"}]}}""")
                        .capture("listed", "/collection_id"),
                call("create collection mapping a field the bucket lacks", "POST", "/v1/collections", """
                        {"collection_name": "prism-unmapped", "source": {"type": "bucket", "bucket_ids": ["${bucket}"]},
                         "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                           "input_mappings": {"image": "payload.photo"}}}""").expect(422),
                // documents
                call("list documents", "POST", "/v1/collections/prism-images/documents/list", """
                        {"filters": {"AND": [{"field": "metadata.brand", "operator": "eq", "value": "Acme"}]},
                         "sort": {"field": "metadata.product_id", "direction": "asc"}, "return_vectors": false}""")
                        .capture("document", "/results/0/document_id").capture("doomed", "/results/1/document_id"),
                call("list documents with a bad sort direction", "POST", "/v1/collections/prism-images/documents/list", """
                        {"sort": {"field": "metadata.product_id", "direction": "sideways"}}""").expect(422).malformed(),
                get("get document", "/v1/collections/prism-images/documents/${document}"),
                get("get unknown document", "/v1/collections/prism-images/documents/doc_missing").expect(404),
                call("list documents grouped by brand", "POST", "/v1/collections/prism-images/documents/list",
                        "{\"group_by\": \"metadata.brand\", \"select\": [\"metadata.product_id\"]}"),
                call("update document", "PATCH", "/v1/collections/prism-images/documents/${document}", "{\"metadata\": {\"reviewed\": true}}"),
                call("change a document's id", "PATCH", "/v1/collections/prism-images/documents/${document}",
                        "{\"document_id\": \"doc_other\"}").expect(422),
                // retrievers
                call("create retriever", "POST", "/v1/retrievers", """
                        {"retriever_name": "prism-search", "collection_identifiers": ["prism-images"],
                         "input_schema": {"query": {"type": "text", "required": true}}, %s}""".formatted(search)),
                call("create retriever again", "POST", "/v1/retrievers", """
                        {"retriever_name": "prism-search", "collection_identifiers": ["prism-images"],
                         "input_schema": {"query": {"type": "text", "required": true}}, %s}""".formatted(search)).expect(409),
                call("create retriever with an unknown stage", "POST", "/v1/retrievers", """
                        {"retriever_name": "prism-bad", "collection_identifiers": ["prism-images"],
                         "stages": [{"stage_name": "x", "config": {"stage_id": "no_such_stage", "parameters": {}}}]}""").expect(422),
                call("list retrievers", "POST", "/v1/retrievers/list", "{}"),
                get("get retriever", "/v1/retrievers/prism-search"),
                get("get unknown retriever", "/v1/retrievers/ret_missing").expect(404),
                call("search retrievers", "POST", "/v1/retrievers/list", "{\"search\": \"prism\", \"sorts\": [{\"field\": \"retriever_name\"}]}"),
                call("update retriever", "PATCH", "/v1/retrievers/prism-search", "{\"description\": \"text to image\"}"),
                call("change a retriever's stages", "PATCH", "/v1/retrievers/prism-search", "{\"stages\": []}").expect(422),
                get("list retriever stages", "/v1/retrievers/stages"),
                call("execute retriever", "POST", "/v1/retrievers/prism-search/execute", """
                        {"inputs": {"query": "red"}, "pagination": {"method": "offset", "page_size": 5, "page_number": 1}}""")
                        .conformsTo("ExecutionDetail"),
                // The document sets no minimum page size; Loupe's is 1.
                call("execute retriever with page size 0", "POST", "/v1/retrievers/prism-search/execute", """
                        {"inputs": {"query": "red"}, "pagination": {"method": "offset", "page_size": 0}}""").expect(422),
                call("execute retriever with inputs that are not an object", "POST", "/v1/retrievers/prism-search/execute", """
                        {"inputs": "red"}""").expect(422).malformed(),
                call("execute unknown retriever", "POST", "/v1/retrievers/ret_missing/execute", "{\"inputs\": {\"query\": \"red\"}}").expect(404),
                call("explain retriever", "POST", "/v1/retrievers/prism-search/execute/explain", "{\"inputs\": {\"query\": \"red\"}}"),
                call("execute ad hoc", "POST", "/v1/retrievers/execute", """
                        {"collection_identifiers": ["prism-images"], "input_schema": {"query": {"type": "text", "required": true}},
                         "inputs": {"query": "blue"}, %s}""".formatted(search)).conformsTo("ExecutionDetail"),
                // published retrievers; the public routes carry the public key (X-Public-API-Key) and no namespace
                call("publish retriever", "POST", "/v1/retrievers/prism-search/publish", """
                        {"public_name": "prism-public", "description": "colours", "rate_limit_config": {"tier": "elevated"},
                         "display_config": {"title": "Prism", "inputs": [{"field_name": "query", "field_schema": {"type": "text"}, "label": "Search"}],
                           "exposed_fields": ["metadata.brand"], "field_mappings": {"image_url": "thumbnail_url"}}}""")
                        .capture("publickey", "/public_api_key"),
                call("publish retriever again", "POST", "/v1/retrievers/prism-search/publish", "{\"public_name\": \"prism-other\"}").expect(409),
                call("publish retriever under a bad name", "POST", "/v1/retrievers/prism-search/publish", "{\"public_name\": \"Prism!\"}").expect(422).malformed(),
                call("publish unknown retriever", "POST", "/v1/retrievers/ret_missing/publish", "{\"public_name\": \"prism-missing\"}").expect(404),
                get("get publication", "/v1/retrievers/prism-search/publish"),
                get("check a public name", "/v1/retrievers/prism-search/publish/availability?name=prism-public"),
                get("list published retrievers", "/v1/retrievers/published"),
                call("update publication", "PATCH", "/v1/retrievers/prism-search/publish", "{\"tags\": [\"demo\"], \"is_active\": true}"),
                call("update publication with a bad rate", "PATCH", "/v1/retrievers/prism-search/publish",
                        "{\"rate_limit_config\": {\"requests_per_minute\": 0}}").expect(422).malformed(),
                get("get public config", "/v1/public/retrievers/prism-public/config").key("${publickey}").namespace(null),
                call("execute published retriever", "POST", "/v1/public/retrievers/prism-public/execute",
                        "{\"inputs\": {\"query\": \"red\"}}").key("${publickey}").namespace(null),
                // Mixpeek's widget sends settings.limit, which Mixpeek's document does not declare (it declares no closed body either).
                call("execute published retriever as the widget does", "POST", "/v1/public/retrievers/prism-public/execute",
                        "{\"inputs\": {\"query\": \"red\"}, \"settings\": {\"limit\": 2}}").key("${publickey}").namespace(null),
                call("execute published retriever without its key", "POST", "/v1/public/retrievers/prism-public/execute",
                        "{\"inputs\": {\"query\": \"red\"}}").key(null).namespace(null).expect(401),
                call("execute another published retriever with the key", "POST", "/v1/public/retrievers/prism-elsewhere/execute",
                        "{\"inputs\": {\"query\": \"red\"}}").key("${publickey}").namespace(null).expect(403),
                call("execute the key's retriever without its name", "POST", "/v1/public/retrievers/execute",
                        "{\"inputs\": {\"query\": \"red\"}}").key("${publickey}").namespace(null).notInDocument(),
                delete("unpublish retriever", "/v1/retrievers/prism-search/publish"),
                delete("unpublish retriever again", "/v1/retrievers/prism-search/publish").expect(404),
                get("get public config after unpublishing", "/v1/public/retrievers/prism-public/config").key("${publickey}").namespace(null).expect(401),
                // clusters
                call("create cluster", "POST", "/v1/clusters", """
                        {"collection_ids": ["prism-images"], "cluster_name": "prism-groups",
                         "vector_config": {"feature_uris": ["mixpeek://image_extractor@v1/embedding"], "clustering_method": "kmeans",
                           "algorithm_params": {"n_clusters": 2}}}""").capture("cluster", "/cluster_id"),
                call("create cluster with an unsupported k-means init", "POST", "/v1/clusters", """
                        {"collection_ids": ["prism-images"], "vector_config": {"clustering_method": "kmeans",
                           "algorithm_params": {"n_clusters": 2, "init": "random"}}}""").expect(422),
                call("execute cluster", "POST", "/v1/clusters/${cluster}/execute", null).capture("clustering", "/task_id"),
                new AwaitTask("await clustering", "clustering"),
                get("get cluster", "/v1/clusters/${cluster}"),
                get("get unknown cluster", "/v1/clusters/clust_missing").expect(404),
                call("list clusters", "POST", "/v1/clusters/list", "{}"),
                get("get latest cluster execution", "/v1/clusters/${cluster}/executions"),
                call("update cluster", "PATCH", "/v1/clusters/${cluster}", "{\"description\": \"two colour groups\"}"),
                call("merge clusters", "POST", "/v1/clusters/${cluster}/merge",
                        "{\"source_cluster_ids\": [\"cl_1\"], \"target_cluster_id\": \"cl_0\"}").notInDocument(),
                delete("delete cluster", "/v1/clusters/${cluster}"),
                delete("delete unknown cluster", "/v1/clusters/clust_missing").expect(404),
                // API keys (Loupe's own endpoints: not in Mixpeek's document)
                call("create API key", "POST", "/v1/api-keys", "{\"name\": \"prism-reader\", \"namespaces\": [\"prism-shop\"]}")
                        .capture("apikey", "/key_id").capture("secret", "/key").notInDocument(),
                get("list API keys", "/v1/api-keys").notInDocument(),
                call("list buckets with a key limited to the namespace", "POST", "/v1/buckets/list", "{}").key("${secret}"),
                call("list buckets with a key outside its namespaces", "POST", "/v1/buckets/list", "{}").key("${secret}")
                        .namespace("default").expect(403),
                delete("revoke API key", "/v1/api-keys/${apikey}").notInDocument(),
                call("list buckets with a revoked key", "POST", "/v1/buckets/list", "{}").key("${secret}").expect(401),
                delete("revoke unknown API key", "/v1/api-keys/key_missing").expect(404).notInDocument(),
                call("unknown route", "POST", "/v1/no/such/route", "{}").expect(404).notInDocument(),
                // presigned uploads
                call("create upload", "POST", "/v1/buckets/${bucket}/uploads", """
                        {"filename": "prism-upload.jpg", "content_type": "image/jpeg", "blob_property": "image_url",
                         "file_size_bytes": %d, "file_hash": "%s", "object_metadata": {"brand": "uploaded"}}"""
                        .formatted(upload.length, dev.loupe.blob.BlobStore.sha256(upload)))
                        .capture("upload", "/upload_id").capture("upload_url", "/presigned_url"),
                call("create upload into unknown bucket", "POST", "/v1/buckets/bkt_missing/uploads", """
                        {"filename": "x.jpg", "content_type": "image/jpeg", "blob_property": "image_url"}""").expect(404),
                call("create upload with a path for a name", "POST", "/v1/buckets/${bucket}/uploads", """
                        {"filename": "../x.jpg", "content_type": "image/jpeg", "blob_property": "image_url"}""").expect(422),
                call("confirm upload before its bytes", "POST", "/v1/buckets/${bucket}/uploads/${upload}/confirm", "{}").expect(409),
                new PutBytes("put upload bytes", "upload_url", upload),
                get("get upload", "/v1/buckets/${bucket}/uploads/${upload}").conformsTo("UploadResponse"),
                get("get unknown upload", "/v1/buckets/${bucket}/uploads/upl_missing").expect(404),
                call("confirm upload", "POST", "/v1/buckets/${bucket}/uploads/${upload}/confirm",
                        "{\"file_size_bytes\": " + upload.length + "}").capture("uploaded_object", "/object_id"),
                call("confirm unknown upload", "POST", "/v1/buckets/${bucket}/uploads/upl_missing/confirm", "{}").expect(404),
                call("create duplicate upload", "POST", "/v1/buckets/${bucket}/uploads", """
                        {"filename": "again.jpg", "content_type": "image/jpeg", "blob_property": "image_url", "file_hash": "%s"}"""
                        .formatted(dev.loupe.blob.BlobStore.sha256(upload))),
                delete("delete completed upload", "/v1/buckets/${bucket}/uploads/${upload}").expect(409),
                call("create uploads batch", "POST", "/v1/buckets/${bucket}/uploads/batch", """
                        {"uploads": [{"filename": "one.jpg", "content_type": "image/jpeg", "blob_property": "image_url", "skip_duplicates": false},
                                     {"filename": "two.jpg", "content_type": "image/jpeg", "blob_property": "image_url"}],
                         "shared_metadata": {"campaign": "prism"}}""")
                        .capture("upload_one", "/uploads/0/upload_id").capture("upload_one_url", "/uploads/0/presigned_url")
                        .capture("upload_two", "/uploads/1/upload_id"),
                call("create empty uploads batch", "POST", "/v1/buckets/${bucket}/uploads/batch", "{\"uploads\": []}").expect(422).malformed(),
                new PutBytes("put batch upload bytes", "upload_one_url", upload),
                call("confirm uploads batch", "POST", "/v1/buckets/${bucket}/uploads/confirm/batch",
                        "{\"confirmations\": [{\"upload_id\": \"${upload_one}\"}]}").capture("confirm_task", "/task_id"),
                new AwaitTask("await batch confirmation", "confirm_task"),
                call("confirm uploads batch with one lacking bytes", "POST", "/v1/buckets/${bucket}/uploads/confirm/batch",
                        "{\"confirmations\": [{\"upload_id\": \"${upload_two}\"}]}").expect(409),
                call("list uploads", "POST", "/v1/buckets/${bucket}/uploads/list",
                        "{\"filters\": {\"status\": \"COMPLETED\"}, \"sort\": {\"field\": \"created_at\", \"direction\": \"desc\"}, \"limit\": 10}"),
                delete("cancel upload", "/v1/buckets/${bucket}/uploads/${upload_two}").expect(204),
                call("create upload without an object", "POST", "/v1/buckets/${bucket}/uploads", """
                        {"filename": "part.jpg", "content_type": "image/jpeg", "blob_property": "image_url",
                         "create_object_on_confirm": false, "skip_duplicates": false}""")
                        .capture("part", "/upload_id").capture("part_url", "/presigned_url"),
                new PutBytes("put part bytes", "part_url", upload),
                call("confirm upload without an object", "POST", "/v1/buckets/${bucket}/uploads/${part}/confirm", "{}"),
                call("create object from an upload", "POST", "/v1/buckets/${bucket}/objects", """
                        {"blobs": [{"property": "image_url", "type": "image", "upload_id": "${part}"}], "metadata": {"brand": "parts"}}""")
                        .capture("part_object", "/object_id"),
                delete("delete object from an upload", "/v1/buckets/${bucket}/objects/${part_object}").expect(204),
                delete("delete uploaded object", "/v1/buckets/${bucket}/objects/${uploaded_object}").expect(204),
                // conflicts on delete, then deletes
                delete("delete bucket feeding a collection", "/v1/buckets/prism-products").expect(409),
                delete("delete collection used by a retriever", "/v1/collections/prism-images").expect(409),
                delete("delete namespace holding buckets", "/v1/namespaces/prism-shop").expect(409),
                delete("delete document", "/v1/collections/prism-images/documents/${doomed}"),
                delete("delete unknown document", "/v1/collections/prism-images/documents/doc_missing").expect(404),
                delete("delete object", "/v1/buckets/prism-products/objects/${green}").expect(204),
                delete("delete unknown object", "/v1/buckets/prism-products/objects/obj_missing").expect(404),
                delete("delete retriever", "/v1/retrievers/prism-search"),
                delete("delete unknown retriever", "/v1/retrievers/ret_missing").expect(404),
                delete("delete collection fed by the bucket", "/v1/collections/${listed}"),
                delete("delete collection", "/v1/collections/prism-images"),
                delete("delete unknown collection", "/v1/collections/col_missing").expect(404),
                delete("delete bucket", "/v1/buckets/prism-products"),
                delete("delete unknown bucket", "/v1/buckets/bkt_missing").expect(404),
                delete("delete task", "/v1/tasks/${task}"),
                delete("delete deleted task", "/v1/tasks/${task}").expect(404),
                delete("delete namespace", "/v1/namespaces/prism-shop"),
                delete("delete unknown namespace", "/v1/namespaces/ns_missing").expect(404),
                // files (Loupe's own: not in Mixpeek's document)
                get("health", "/health").key(null).notInDocument(),
                get("unknown thumbnail", "/thumbnails/%s.jpg".formatted("0".repeat(64))).key(null).expect(404).notInDocument(),
                // Loupe's own description of itself, and the page that renders it
                get("Loupe's OpenAPI document", "/openapi.json").key(null).notInDocument(),
                get("documentation page", "/docs").key(null).notInDocument(),
                get("documentation page's script", "/docs/assets/docs.js").key(null).notInDocument(),
                get("unknown documentation asset", "/docs/assets/index.html").key(null).expect(404).notInDocument());
    }

    @Test
    void everyEndpointAnswersInMixpeeksDocumentedShape() {
        Flow flow = new Flow();
        for (Step step : steps()) flow.run(step);
        if (!flow.problems.isEmpty()) {
            fail(flow.problems.size() + " contract problem(s) found by Prism (" + flow.exchanges + " exchanges):\n"
                    + String.join("\n", flow.problems));
        }
    }

    /** Runs steps in order, holding captured variables and every problem found. */
    private static final class Flow {
        private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z0-9_]+)}");

        private final Map<String, String> variables = new HashMap<>();
        private final List<String> problems = new ArrayList<>();
        private int exchanges;

        void run(Step step) {
            switch (step) {
                case Call c -> call(c);
                case AwaitTask a -> await(a);
                case PutBytes p -> put(p);
            }
        }

        private void call(Call c) {
            String path;
            String body;
            String key;
            try {
                path = substitute(c.path());
                body = c.body() == null ? null : substitute(c.body());
                key = c.key() == null ? null : substitute(c.key());
            } catch (IllegalStateException e) {
                problems.add(c.name() + ": skipped, " + e.getMessage());
                return;
            }
            Prism.Exchange x = exchange(c.name(), c.method(), path, key, c.namespace(), body, c.sent());
            if (x.status() != c.status()) {
                problems.add(c.name() + ": " + c.method() + " " + path + " answered " + x.status() + ", expected " + c.status() + ": " + x.raw());
                return;
            }
            if (c.schema() != null) conforms(c.name(), c.schema(), x);
            c.captures().forEach((variable, pointer) -> {
                JsonNode v = x.body() == null ? null : x.body().at(pointer);
                if (v == null || !v.isTextual()) problems.add(c.name() + ": no " + pointer + " in the response to capture as " + variable);
                else variables.put(variable, v.asText());
            });
        }

        private void put(PutBytes p) {
            String url = variables.get(p.variable());
            if (url == null) {
                problems.add(p.name() + ": skipped, no URL was captured as " + p.variable());
                return;
            }
            try {
                var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(p.bytes())).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) problems.add(p.name() + ": PUT " + url + " answered " + r.statusCode() + ": " + r.body());
            } catch (java.io.IOException e) {
                problems.add(p.name() + ": PUT " + url + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private void await(AwaitTask a) {
            String id = variables.get(a.variable());
            if (id == null) {
                problems.add(a.name() + ": skipped, no task was captured as " + a.variable());
                return;
            }
            // Bounded by a count of polls, not by time: a stuck task ends the step with a problem.
            for (int poll = 0; poll < 1200; poll++) {
                Prism.Exchange x = exchange(a.name(), "GET", "/v1/tasks/" + id, TestServer.ADMIN_KEY, NS, null, Sent.VALID);
                String status = x.body() == null ? "" : x.body().path("status").asText();
                if (x.status() != 200) {
                    problems.add(a.name() + ": GET /v1/tasks/" + id + " answered " + x.status() + ": " + x.raw());
                    return;
                }
                if (!status.equals("PENDING") && !status.equals("PROCESSING")) {
                    if (!status.equals("COMPLETED")) problems.add(a.name() + ": task ended " + status + ": " + x.raw());
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            problems.add(a.name() + ": task " + id + " still unfinished after 1200 polls");
        }

        private Prism.Exchange exchange(String name, String method, String path, String key, String ns, String body, Sent sent) {
            Prism.Exchange x = prism.send(method, path, key, ns, body);
            exchanges++;
            String at = name + ": " + method + " " + path + " → " + x.status() + ": ";
            for (Prism.Violation v : x.responseViolations()) {
                boolean undeclaredConflict = x.status() == 409 && v.severity().equals("Warning") && v.message().startsWith(UNDECLARED_STATUS);
                if (!undeclaredConflict) problems.add(at + "response " + v);
            }
            List<Prism.Violation> request = x.requestViolations();
            switch (sent) {
                case VALID -> request.forEach(v -> problems.add(at + "request " + v));
                // Also proves Prism validates at all: a proxy that checked nothing would pass the whole flow.
                case MALFORMED -> {
                    if (request.isEmpty()) problems.add(at + "Prism found nothing wrong with this request sent as malformed");
                }
                case NOT_IN_DOCUMENT -> {
                    if (request.stream().noneMatch(v -> v.message().equals(NO_ROUTE))) {
                        problems.add(at + "Prism found this route in Mixpeek's document: send it as VALID");
                    }
                    request.stream().filter(v -> !v.message().equals(NO_ROUTE)).forEach(v -> problems.add(at + "request " + v));
                }
            }
            // Prism checks no body of an undeclared status or route; every error is held to Mixpeek's shape here too.
            if (x.status() >= 400) conforms(name, "ErrorResponse", x);
            if (x.status() == 204 && !x.raw().isEmpty()) problems.add(at + "204 with a body: " + x.raw());
            return x;
        }

        private void conforms(String name, String component, Prism.Exchange x) {
            if (x.body() == null) {
                problems.add(name + ": " + x.method() + " " + x.path() + " → " + x.status() + ": not JSON, expected " + component + ": " + x.raw());
                return;
            }
            for (ValidationMessage m : OpenApi.validate(component, x.body())) {
                problems.add(name + ": " + x.method() + " " + x.path() + " → " + x.status() + ": not a " + component + ": " + m.getMessage());
            }
        }

        private String substitute(String text) {
            Matcher m = VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = variables.get(m.group(1));
                if (value == null) throw new IllegalStateException("no value captured for ${" + m.group(1) + "}");
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }
    }
}
