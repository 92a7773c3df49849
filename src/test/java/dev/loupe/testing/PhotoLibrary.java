package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A person's photo library through the API, for face tests: buckets of photos (image property
 * {@code photo}, metadata such as {@code person}), face collections over them, ingested, and
 * their documents.
 */
public record PhotoLibrary(Api api) {

    public String bucket(String name) {
        return api.ok("POST", "/v1/buckets", """
                {"bucket_name": "%s", "bucket_schema": {"properties": {"photo": {"type": "image"}, "person": {"type": "string"}}}}"""
                .formatted(name)).path("bucket_id").asText();
    }

    /** An object holding {@code jpeg} inline, with {@code metadata} (a JSON object); its id. */
    public String upload(String bucket, byte[] jpeg, String metadata) {
        return api.ok("POST", "/v1/buckets/" + bucket + "/objects", """
                {"blobs": [{"property": "photo", "type": "image", "data": "data:image/jpeg;base64,%s"}], "metadata": %s}"""
                .formatted(Base64.getEncoder().encodeToString(jpeg), metadata)).path("object_id").asText();
    }

    /** A face collection over the bucket with {@code parameters} (a JSON object), its backfill completed; its id. */
    public String faceCollection(String name, String bucket, String parameters) {
        JsonNode col = api.ok("POST", "/v1/collections", """
                {"collection_name": "%s", "source": {"type": "bucket", "bucket_id": "%s"},
                 "feature_extractor": {"feature_extractor_name": "face_identity_extractor", "version": "v1",
                   "input_mappings": {"image": "payload.photo"}, "parameters": %s}}""".formatted(name, bucket, parameters));
        assertEquals("mixpeek://face_identity_extractor@v1/embedding", col.path("vector_indexes").get(0).path("feature_uri").asText(), col.toString());
        assertEquals(512, col.path("vector_indexes").get(0).path("size").asInt());
        JsonNode task = api.awaitTask(col.path("task_id").asText(), Duration.ofMinutes(5));
        assertEquals("COMPLETED", task.path("status").asText(), task.toString());
        return col.path("collection_id").asText();
    }

    /** Processes objects added after the collections were made: a batch, submitted, completed. */
    public void ingest(String bucket, String objectId) {
        String batch = api.ok("POST", "/v1/buckets/" + bucket + "/batches", "{\"object_ids\": [\"" + objectId + "\"]}").path("batch_id").asText();
        String task = api.ok("POST", "/v1/buckets/" + bucket + "/batches/" + batch + "/submit", "{}").path("task_id").asText();
        assertEquals("COMPLETED", api.awaitTask(task, Duration.ofMinutes(2)).path("status").asText());
    }

    /** Every document of the collection (at most 1,000), with vectors. */
    public List<JsonNode> documents(String collection) {
        JsonNode page = api.ok("POST", "/v1/collections/" + collection + "/documents/list?limit=1000", "{\"return_vectors\": true}");
        List<JsonNode> out = new ArrayList<>();
        page.path("results").forEach(out::add);
        return out;
    }
}
