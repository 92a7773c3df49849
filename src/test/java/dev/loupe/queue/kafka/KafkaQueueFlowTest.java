package dev.loupe.queue.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.KafkaCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Loupe started with {@code --queue kafka} ingests a batch of images through the API. */
class KafkaQueueFlowTest {
    @Test
    void aBatchSubmittedThroughTheApiIsIngestedThroughKafka(@TempDir Path clusterDir, @TempDir Path data) {
        try (KafkaCluster cluster = KafkaCluster.start(clusterDir, 3);
             ImageHost host = new ImageHost();
             TestServer server = TestServer.withFlags(data, "--queue", "kafka", "--kafka-bootstrap", cluster.bootstrapServers(),
                     "--kafka-topic", "loupe.flow", "--kafka-partitions", "3")) {
            Api api = server.admin("default");
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "payload.image"}}}""");
            List<String> ids = new ArrayList<>();
            String[] colours = {"red", "green", "blue", "yellow", "white", "black"};
            for (int i = 0; i < colours.length; i++) {
                String url = host.put("/" + i + ".png", Images.png(Images.dominant(Images.BASIC.get(colours[i]), 32, 32, i)));
                ids.add(api.ok("POST", "/v1/buckets/b/objects", """
                        {"blobs": [{"property": "image", "type": "image", "data": "%s"}]}""".formatted(url)).path("object_id").asText());
            }
            String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"" + String.join("\", \"", ids) + "\"]}")
                    .path("batch_id").asText();
            String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
            JsonNode done = api.awaitTask(task, Duration.ofMinutes(2));
            assertEquals("COMPLETED", done.path("status").asText(), done.toString());
            assertEquals(colours.length, done.path("additional_data").path("completed").asInt(), done.toString());
            assertEquals(colours.length, api.ok("GET", "/v1/collections/c", null).path("document_count").asInt());
        }
    }
}
