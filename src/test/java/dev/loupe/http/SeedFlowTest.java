package dev.loupe.http;

import static dev.loupe.testing.ProductSeed.BRANDS;
import static dev.loupe.testing.ProductSeed.COLOURS;
import static dev.loupe.testing.ProductSeed.PRODUCT_IDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.ProductSeed;
import dev.loupe.testing.ProductSeed.Shop;
import dev.loupe.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's requests, as an application written for Mixpeek's hosted image pipeline
 * sends them, with only the host and ids changed: bucket → objects with image URLs and
 * metadata → the product-images collection → the image-search retriever → a text query.
 */
class SeedFlowTest {
    @TempDir
    static Path data;
    static TestServer server;
    static ImageHost images;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        images = new ImageHost();
    }

    @AfterAll
    static void stop() {
        server.close();
        images.close();
    }

    /** {@link ProductSeed}'s data in namespace {@code namespace} of {@link #server}. */
    private static Shop seed(String namespace) {
        return ProductSeed.seed(server.admin(namespace), images, namespace);
    }

    private static List<String> values(JsonNode documents, String path) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : documents) {
            JsonNode v = d;
            for (String part : path.split("\\.")) v = v.path(part);
            out.add(v.asText());
        }
        return out;
    }

    @Test
    void textQueryRanksTheRedImageFirst() {
        Api api = seed("text-query").api();
        JsonNode result = api.ok("POST", "/v1/retrievers/image-search/execute",
                "{\"inputs\": {\"query\": \"red leather handbag with gold buckle\"}, \"limit\": 10}");
        JsonNode docs = result.path("documents");
        assertEquals(BRANDS, Set.copyOf(values(docs, "metadata.brand")), "every image is a candidate");
        assertEquals(COLOURS.size(), docs.size(), "each once");
        assertEquals("Acme red", docs.get(0).path("metadata").path("brand").asText());
        assertTrue(docs.get(0).path("score").asDouble() > 0.8, "red scores high: " + docs.get(0).path("score"));
        assertTrue(docs.get(1).path("score").asDouble() < 0.3, "others score low: " + docs.get(1).path("score"));
        assertEquals(COLOURS.size(), result.path("stage_statistics").path("stages").path("search").path("output_count").asInt());
        assertTrue(result.path("execution_id").asText().length() > 0, result.toString());
        assertEquals(COLOURS.size(), result.path("pagination").path("total").asInt());
    }

    @Test
    void everyResultCarriesIdThumbnailMetadataAndEmbedding() throws Exception {
        Api api = seed("result-fields").api();
        JsonNode docs = api.ok("POST", "/v1/retrievers/image-search/execute",
                "{\"inputs\": {\"query\": \"blue\"}, \"limit\": 10}").path("documents");
        for (JsonNode d : docs) {
            OpenApi.assertConforms("DocumentResponse", d);
            assertTrue(d.path("document_id").asText().startsWith("doc_"));
            JsonNode metadata = d.path("metadata");
            int i = Integer.parseInt(metadata.path("product_id").asText().substring(2));
            assertEquals("Acme " + COLOURS.get(i), metadata.path("brand").asText(), "product P-00i is colour i: " + d);
            assertEquals("bags", metadata.path("category").asText());
            assertEquals(metadata.path("brand").asText(), d.path("brand").asText(), "passthrough with target_path");
            assertEquals(metadata.path("product_id").asText(), d.path("product_id").asText(), "nested passthrough flattens");
            assertEquals(768, d.path("image_extractor_v1_embedding").size());
            BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(api.download(d.path("thumbnail_url").asText())));
            assertNotNull(thumb, "thumbnail is a decodable image");
            assertEquals(640, thumb.getWidth());
            assertEquals(480, thumb.getHeight(), "aspect ratio of 1280×960 kept");
        }
        List<String> products = values(docs, "metadata.product_id");
        assertEquals(PRODUCT_IDS, Set.copyOf(products));
        assertEquals(PRODUCT_IDS.size(), products.size(), "one document per product");
        assertEquals("P-001", products.get(0), "blue first");
    }

    @Test
    void eachColourQueryFindsItsImage() {
        Api api = seed("colour-queries").api();
        for (String colour : COLOURS) {
            JsonNode top = api.ok("POST", "/v1/retrievers/image-search/execute",
                    "{\"inputs\": {\"query\": \"a " + colour + " product photo\"}, \"limit\": 1}").path("documents");
            assertEquals(List.of("Acme " + colour), values(top, "metadata.brand"));
        }
    }

    @Test
    void requestsInTheOpenApiShapeAreAccepted() {
        Api api = seed("openapi-shape").api();
        String bucket = """
                {"bucket_name": "openapi-bucket", "bucket_schema": {"properties": {"photo": {"type": "image"}}}}""";
        OpenApi.assertConforms("BucketCreateRequest", Api.parse(bucket));
        api.ok("POST", "/v1/buckets", bucket);
        String object = """
                {"key_prefix": "/x", "blobs": [{"property": "photo", "type": "image", "data": "%s"}]}"""
                .formatted(Images.dataUri(Images.png(Images.dominant(Images.BASIC.get("black"), 300, 200, 5)), "image/png"));
        OpenApi.assertConforms("CreateObjectRequest", Api.parse(object));
        String blackObject = api.ok("POST", "/v1/buckets/openapi-bucket/objects", object).path("object_id").asText();
        String collection = """
                {"collection_name": "openapi-collection", "source": {"type": "bucket", "bucket_ids": ["openapi-bucket"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": {"image": "photo"}, "field_passthrough": [{"source_path": "key_prefix", "target_path": "prefix"}],
                   "parameters": {"extractor_type": "image_extractor", "enable_thumbnails": true}}}""";
        OpenApi.assertConforms("CreateCollectionRequest", Api.parse(collection));
        JsonNode created = api.ok("POST", "/v1/collections", collection);
        assertEquals("COMPLETED", api.awaitTask(created.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText());
        String retriever = """
                {"retriever_name": "search-v2", "collection_identifiers": ["product-images"],
                 "input_schema": {"query": {"type": "text", "required": true}},
                 "stages": [{"stage_name": "knn", "stage_type": "filter", "config": {"stage_id": "feature_search", "parameters": {
                    "searches": [{"feature_uri": "mixpeek://image_extractor@v1/embedding",
                                  "query": {"input_mode": "text", "value": "{{inputs.query}}"}, "top_k": 5}],
                    "final_top_k": 5}}}]}""";
        OpenApi.assertConforms("CreateRetrieverRequest", Api.parse(retriever));
        JsonNode stored = api.ok("GET", "/v1/retrievers/" + api.ok("POST", "/v1/retrievers", retriever)
                .path("retriever").path("retriever_id").asText(), null);
        OpenApi.assertConforms("RetrieverModel-Output", stored);
        String execute = """
                {"inputs": {"query": "green"}, "pagination": {"method": "offset", "page_size": 2, "page_number": 2}}""";
        OpenApi.assertConforms("ExecuteRetrieverRequest", Api.parse(execute));
        JsonNode page1 = api.ok("POST", "/v1/retrievers/search-v2/execute", execute.replace("\"page_number\": 2", "\"page_number\": 1"));
        JsonNode page2 = api.ok("POST", "/v1/retrievers/search-v2/execute", execute);
        assertEquals("Acme green", page1.path("documents").get(0).path("metadata").path("brand").asText());
        assertEquals(2, page2.path("documents").size());
        Set<String> onBoth = new HashSet<>(values(page1.path("documents"), "document_id"));
        onBoth.retainAll(values(page2.path("documents"), "document_id"));
        assertEquals(Set.of(), onBoth, "page 2 follows page 1");
        assertEquals(5, page2.path("pagination").path("total").asInt());
        assertEquals(2, page2.path("pagination").path("page").asInt());
        JsonNode all = api.ok("POST", "/v1/collections/openapi-collection/documents/list", "{}").path("results");
        assertEquals(List.of(blackObject), values(all, "root_object_id"), "one document, of the black object");
        assertEquals("/x", all.get(0).path("prefix").asText(), "passthrough of an object field");
        String list = "{\"filters\": {\"AND\": [{\"field\": \"prefix\", \"operator\": \"eq\", \"value\": \"/x\"}]}, \"sort\": {\"field\": \"created_at\", \"direction\": \"desc\"}}";
        OpenApi.assertConforms("ListDocumentsRequest", Api.parse(list));
        assertEquals(values(all, "document_id"),
                values(api.ok("POST", "/v1/collections/openapi-collection/documents/list", list).path("results"), "document_id"));
        String none = "{\"filters\": {\"AND\": [{\"field\": \"prefix\", \"operator\": \"eq\", \"value\": \"/y\"}]}}";
        assertEquals(0, api.ok("POST", "/v1/collections/openapi-collection/documents/list", none).path("results").size(), "the filter filters");
    }

    @Test
    void legacyStageShapeIsAnsweredInTheOpenApiShape() {
        Api api = seed("legacy-shape").api();
        JsonNode created = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "legacy", "collection_ids": ["product-images"],
                 "stages": [{"stage_type": "filter", "stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 3}}]}""");
        JsonNode stage = created.path("retriever").path("stages").get(0);
        assertEquals("feature_search", stage.path("config").path("stage_id").asText());
        assertEquals("text", stage.path("config").path("parameters").path("searches").get(0).path("query").path("input_mode").asText());
        List<String> brands = values(api.ok("POST", "/v1/retrievers/legacy/execute", "{\"inputs\": {\"q\": \"yellow\"}}").path("documents"), "metadata.brand");
        assertEquals(3, brands.size(), "top_k 3: " + brands);
        assertEquals("Acme yellow", brands.get(0), "the query reached the stage: " + brands);
        assertEquals(3, Set.copyOf(brands).size());
    }

    @Test
    void objectsAddedLaterAreProcessedWhenTheirBatchIsSubmitted() throws Exception {
        Api later = seed("added-later").api();
        String url = images.put("/catalog/late-orange.jpg", Images.jpeg(Images.dominant(Images.BASIC.get("orange"), 900, 900, 99)));
        String objectId = later.ok("POST", "/v1/buckets/products/objects", """
                {"blobs": [{"property": "image_url", "type": "image", "data": "%s"}],
                 "metadata": {"product_id": "P-LATE", "brand": "Acme orange", "category": "bags"}}""".formatted(url)).path("object_id").asText();
        JsonNode batch = later.ok("POST", "/v1/buckets/products/batches", "{\"object_ids\": [\"" + objectId + "\"]}");
        OpenApi.assertConforms("BatchModel", batch);
        assertEquals("DRAFT", batch.path("status").asText());
        JsonNode task = later.ok("POST", "/v1/buckets/products/batches/" + batch.path("batch_id").asText() + "/submit", "{}");
        OpenApi.assertConforms("TaskResponse", task);
        assertEquals("COMPLETED", later.awaitTask(task.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText());
        JsonNode done = later.ok("GET", "/v1/buckets/products/batches/" + batch.path("batch_id").asText(), null);
        assertEquals("COMPLETED", done.path("status").asText());
        JsonNode top = later.ok("POST", "/v1/retrievers/image-search/execute", "{\"inputs\": {\"query\": \"orange\"}, \"limit\": 1}")
                .path("documents").get(0);
        assertEquals("P-LATE", top.path("metadata").path("product_id").asText());
        assertEquals(objectId, top.path("root_object_id").asText());
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(later.download(top.path("thumbnail_url").asText())));
        assertEquals(640, thumb.getWidth());
        assertEquals(640, thumb.getHeight(), "a square photo keeps a square thumbnail");
        JsonNode listed = later.ok("POST", "/v1/collections/product-images/documents/list?limit=100", "{}").path("results");
        Set<String> expected = new HashSet<>(PRODUCT_IDS);
        expected.add("P-LATE");
        assertEquals(expected, Set.copyOf(values(listed, "metadata.product_id")), "the new product joins the six");
        Api.Response again = later.post("/v1/buckets/products/batches/" + batch.path("batch_id").asText() + "/submit", "{}");
        assertEquals(409, again.status(), "a batch is submitted once");
    }

    @Test
    void documentsListFiltersSortsAndPaginates() {
        Shop shop = seed("documents-list");
        Api api = shop.api();
        String collectionId = shop.collectionId();
        String sort = "{\"sort\": {\"field\": \"metadata.product_id\", \"direction\": \"desc\"}}";
        JsonNode page = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list?limit=2", sort);
        OpenApi.assertConforms("ListDocumentsResponse", page);
        assertEquals(List.of("P-005", "P-004"), values(page.path("results"), "metadata.product_id"));
        String cursor = page.path("pagination").path("next_cursor").asText();
        JsonNode next = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list?limit=2&cursor=" + cursor, sort);
        assertEquals(List.of("P-003", "P-002"), values(next.path("results"), "metadata.product_id"));
        JsonNode filtered = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list",
                "{\"filters\": {\"AND\": [{\"field\": \"metadata.brand\", \"operator\": \"in\", \"value\": [\"Acme red\", \"Acme blue\"]}]}}");
        List<String> brands = values(filtered.path("results"), "metadata.brand");
        assertEquals(Set.of("Acme red", "Acme blue"), Set.copyOf(brands));
        assertEquals(2, brands.size(), brands.toString());
        JsonNode shorthand = api.ok("POST", "/v1/collections/" + collectionId + "/documents/list",
                "{\"filters\": {\"metadata.brand\": \"Acme green\"}}");
        assertEquals(List.of("P-002"), values(shorthand.path("results"), "metadata.product_id"));
    }

    @Test
    void aCollectionCanSourceAnotherCollectionsDocuments() {
        Api a = seed("tier-two").api();
        JsonNode tier2 = a.ok("POST", "/v1/collections", """
                {"collection_name": "thumbnail-embeddings", "source": {"type": "collection", "collection_id": "product-images"},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                       "input_mappings": {"image": "thumbnail_url"}, "field_passthrough": [{"source_path": "metadata.brand"}],
                                       "parameters": {"enable_thumbnails": false}}}""");
        assertEquals("collection", tier2.path("source").path("type").asText());
        assertEquals("COMPLETED", a.awaitTask(tier2.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText());
        JsonNode upstream = a.ok("POST", "/v1/collections/product-images/documents/list?limit=100", "{}").path("results");
        Map<String, String> upstreamBrands = new HashMap<>();
        upstream.forEach(d -> upstreamBrands.put(d.path("document_id").asText(), d.path("metadata").path("brand").asText()));
        assertEquals(COLOURS.size(), upstreamBrands.size());
        JsonNode docs = a.ok("POST", "/v1/collections/thumbnail-embeddings/documents/list?limit=100", "{}").path("results");
        Map<String, String> tier2Brands = new HashMap<>();
        for (JsonNode d : docs) {
            tier2Brands.put(d.path("source_document_id").asText(), d.path("brand").asText());
            assertTrue(d.path("thumbnail_url").isMissingNode(), "thumbnails disabled");
        }
        assertEquals(COLOURS.size(), docs.size(), "one tier-2 document per upstream document");
        assertEquals(upstreamBrands, tier2Brands, "each made from its upstream document, with its brand");
        JsonNode red = a.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["thumbnail-embeddings"], "inputs": {"q": "red"},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 1}}}]}""");
        assertEquals(List.of("Acme red"), values(red.path("documents"), "brand"), "ad hoc execution over tier 2");
        Api.Response blocked = a.delete("/v1/collections/product-images");
        assertEquals(409, blocked.status(), "a collection feeding another cannot be deleted");
        assertEquals(200, a.get("/v1/collections/product-images").status(), "and is still there");
    }

    @Test
    void contentVectorAndDocumentQueriesFindTheSameImage() {
        Api api = seed("query-modes").api();
        String stages = """
                [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"searches": [
                  {"feature_uri": "mixpeek://image_extractor@v1/embedding", "query": %s, "top_k": 3}]}}}]""";
        String blueImage = Images.dataUri(Images.jpeg(Images.dominant(Images.BASIC.get("blue"), 500, 400, 77)), "image/jpeg");
        JsonNode byContent = api.ok("POST", "/v1/retrievers/execute", "{\"collection_identifiers\": [\"product-images\"], \"inputs\": {\"img\": \""
                + blueImage + "\"}, \"stages\": " + stages.formatted("{\"input_mode\": \"content\", \"value\": \"{{INPUT.img}}\"}") + "}");
        JsonNode top = byContent.path("documents").get(0);
        assertEquals("Acme blue", top.path("metadata").path("brand").asText(), "image-to-image");
        assertTrue(top.path("score").asDouble() > 0.9);

        String vector = top.path("image_extractor_v1_embedding").toString();
        JsonNode byVector = api.ok("POST", "/v1/retrievers/execute", "{\"collection_identifiers\": [\"product-images\"], \"inputs\": {\"v\": "
                + vector + "}, \"stages\": " + stages.formatted("{\"input_mode\": \"vector\", \"value\": \"{{INPUT.v}}\"}") + "}");
        assertEquals(top.path("document_id").asText(), byVector.path("documents").get(0).path("document_id").asText());
        assertEquals(1.0, byVector.path("documents").get(0).path("score").asDouble(), 1e-4);

        JsonNode byDocument = api.ok("POST", "/v1/retrievers/execute", "{\"collection_identifiers\": [\"product-images\"], \"inputs\": {\"d\": \""
                + top.path("document_id").asText() + "\"}, \"stages\": "
                + stages.formatted("{\"input_mode\": \"document\", \"document_ref\": {\"document_id\": \"{{INPUT.d}}\"}}") + "}");
        assertEquals(top.path("document_id").asText(), byDocument.path("documents").get(0).path("document_id").asText());

        Api.Response shortVector = api.post("/v1/retrievers/execute", "{\"collection_identifiers\": [\"product-images\"], \"inputs\": {\"v\": [1, 2]}, \"stages\": "
                + stages.formatted("{\"input_mode\": \"vector\", \"value\": \"{{INPUT.v}}\"}") + "}");
        assertEquals(422, shortVector.status());
        assertTrue(shortVector.body().path("error").path("message").asText().contains("768"));
        Api.Response badImage = api.post("/v1/retrievers/execute", "{\"collection_identifiers\": [\"product-images\"], \"inputs\": {\"img\": \"aGVsbG8=\"}, \"stages\": "
                + stages.formatted("{\"input_mode\": \"content\", \"value\": \"{{INPUT.img}}\"}") + "}");
        assertEquals(422, badImage.status());
    }

    @Test
    void documentCanBeFetchedAndDeleted() {
        Shop shop = seed("fetch-delete");
        Api api = shop.api();
        String documents = "/v1/collections/" + shop.collectionId() + "/documents";
        JsonNode red = api.ok("POST", documents + "/list", "{\"filters\": {\"metadata.brand\": \"Acme red\"}}").path("results").get(0);
        String id = red.path("document_id").asText();
        JsonNode doc = api.ok("GET", documents + "/" + id, null);
        assertEquals(768, doc.path("image_extractor_v1_embedding").size());
        assertEquals(id, doc.path("document_id").asText());
        assertEquals("P-000", doc.path("metadata").path("product_id").asText());
        assertEquals(404, api.get(documents + "/doc_missing").status());

        String redSearch = "{\"inputs\": {\"query\": \"red\"}, \"limit\": 10}";
        assertEquals(id, api.ok("POST", "/v1/retrievers/image-search/execute", redSearch).path("documents").get(0).path("document_id").asText(),
                "before the delete, searching red finds it first");
        Api.Response deleted = api.delete(documents + "/" + id);
        assertEquals(200, deleted.status(), deleted.raw());

        Api.Response gone = api.get(documents + "/" + id);
        assertEquals(404, gone.status(), gone.raw());
        assertEquals("NotFoundError", gone.body().path("error").path("type").asText());
        List<String> found = values(api.ok("POST", "/v1/retrievers/image-search/execute", redSearch).path("documents"), "document_id");
        assertEquals(COLOURS.size() - 1, found.size(), "the other five are still found: " + found);
        assertFalse(found.contains(id), "not in search: " + found);
        JsonNode listed = api.ok("POST", documents + "/list?limit=100", "{}").path("results");
        Set<String> rest = new HashSet<>(PRODUCT_IDS);
        rest.remove("P-000");
        assertEquals(rest, Set.copyOf(values(listed, "metadata.product_id")), "not in the list");
        assertFalse(values(listed, "document_id").contains(id));
        assertEquals(404, api.delete(documents + "/" + id).status(), "a second delete finds nothing");
    }
}
