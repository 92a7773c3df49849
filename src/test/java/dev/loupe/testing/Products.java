package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A bucket of photographed products, and collections over it, made through the API: each
 * product is a 320×240 JPEG of one {@linkplain Images#BASIC basic colour} (noise from its
 * seed, so two of one colour are near-duplicates) with its metadata, stored under the blob
 * property {@code img}; each collection runs the image extractor over the whole bucket and
 * is fully indexed when {@link #collection} returns.
 */
public final class Products {
    private final Api api;
    private final String bucket;

    private Products(Api api, String bucket) {
        this.api = api;
        this.bucket = bucket;
    }

    /** Creates the bucket {@code name}, without a schema. */
    public static Products bucket(Api api, String name) {
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"%s\", \"bucket_schema\": {}}".formatted(name));
        return new Products(api, name);
    }

    /** Adds a product photographed in {@code colour} (a key of {@link Images#BASIC}); {@code metadata} is a JSON object. */
    public Products add(String colour, long seed, String metadata) {
        String image = Images.dataUri(Images.jpeg(Images.dominant(Images.BASIC.get(colour), 320, 240, seed)), "image/jpeg");
        api.ok("POST", "/v1/buckets/" + bucket + "/objects", """
                {"blobs": [{"property": "img", "type": "image", "data": "%s"}], "metadata": %s}""".formatted(image, metadata));
        return this;
    }

    /** Creates the collection {@code name} over the bucket and waits until its task has completed. */
    public Products collection(String name) {
        JsonNode col = api.ok("POST", "/v1/collections", """
                {"collection_name": "%s", "source": {"type": "bucket", "bucket_ids": ["%s"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}"""
                .formatted(name, bucket));
        assertEquals("COMPLETED", api.awaitTask(col.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText(),
                "collection " + name + " indexed");
        return this;
    }
}
