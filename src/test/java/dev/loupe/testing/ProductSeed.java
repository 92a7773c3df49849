package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The seed's requests, as an application written for Mixpeek's hosted image pipeline sends them:
 * the products bucket with one object per colour (product P-00i is colour i, brand "Acme colour",
 * its image a URL on an {@link ImageHost}), the product-images collection, ingested, and the
 * image-search retriever. Shared by the tests that run the seed against one build or another
 * ({@code SeedFlowTest} embedded, {@code ClusterSeedFlowTest} on the loopback cluster).
 */
public final class ProductSeed {
    public static final List<String> COLOURS = List.of("red", "blue", "green", "yellow", "purple", "white");
    public static final Set<String> PRODUCT_IDS = Set.of("P-000", "P-001", "P-002", "P-003", "P-004", "P-005");
    public static final Set<String> BRANDS = Set.of("Acme red", "Acme blue", "Acme green", "Acme yellow", "Acme purple", "Acme white");

    private ProductSeed() {}

    /** The seed's data in a namespace of its own, so that each test owns what it reads and changes. */
    public record Shop(Api api, String bucketId, String collectionId) {
    }

    /** The seed's requests through {@code api} in namespace {@code namespace}, the images served by {@code images}. */
    public static Shop seed(Api api, ImageHost images, String namespace) {
        api = api.inNamespace(namespace);
        api.ok("POST", "/v1/namespaces", """
                {"namespace_name": "%s", "description": "product catalog", "feature_extractors": [{"feature_extractor_name": "image_extractor", "version": "v1"}]}"""
                .formatted(namespace));
        JsonNode bucket = api.ok("POST", "/v1/buckets", """
                {"bucket_name": "products", "description": "Product images",
                 "bucket_schema": {"properties": {"image_url": {"type": "image"}, "product_id": {"type": "string"},
                                                  "brand": {"type": "string"}, "category": {"type": "string"}}}}""");
        OpenApi.assertConforms("BucketResponse", bucket);
        for (int i = 0; i < COLOURS.size(); i++) {
            String colour = COLOURS.get(i);
            BufferedImage img = Images.dominant(Images.BASIC.get(colour), 1280, 960, i);
            String url = images.put("/catalog/" + colour + ".jpg", Images.jpeg(img));
            JsonNode object = api.ok("POST", "/v1/buckets/" + bucket.path("bucket_id").asText() + "/objects", """
                    {"key_prefix": "/products/%s",
                     "blobs": [{"property": "image_url", "type": "image", "data": "%s"}],
                     "metadata": {"product_id": "P-%03d", "brand": "Acme %s", "category": "bags"}}""".formatted(colour, url, i, colour));
            OpenApi.assertConforms("ObjectResponse", object);
        }
        JsonNode collection = api.ok("POST", "/v1/collections", """
                {"collection_name": "product-images",
                 "source": {"type": "bucket", "bucket_id": "%s"},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": {"image": "payload.image_url"},
                   "field_passthrough": [{"source_path": "metadata.product_id"}, {"source_path": "brand", "target_path": "brand"}],
                   "parameters": {"enable_thumbnails": true}}}""".formatted(bucket.path("bucket_id").asText()));
        OpenApi.assertConforms("CollectionResponse", collection);
        assertEquals("mixpeek://image_extractor@v1/embedding", collection.path("vector_indexes").get(0).path("feature_uri").asText());
        assertEquals(768, collection.path("vector_indexes").get(0).path("size").asInt());
        // A minute is ample embedded; on the loopback cluster the first write also creates the Solr collection.
        JsonNode task = api.awaitTask(collection.path("task_id").asText(), Duration.ofSeconds(120));
        OpenApi.assertConforms("TaskResponse", task);
        assertEquals("COMPLETED", task.path("status").asText(), task.toString());
        JsonNode retriever = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "image-search", "collection_ids": ["%s"],
                 "input_schema": {"properties": {"query": {"type": "text", "required": true}}},
                 "stages": [{"stage_name": "search", "stage_type": "filter",
                             "config": {"stage_id": "feature_search",
                                        "parameters": {"feature_uri": "mixpeek://image_extractor@v1/embedding",
                                                       "query": "{{INPUT.query}}", "top_k": 20}}}]}""".formatted(collection.path("collection_id").asText()));
        OpenApi.assertConforms("CreateRetrieverResponse", retriever);
        return new Shop(api, bucket.path("bucket_id").asText(), collection.path("collection_id").asText());
    }
}
