package dev.loupe.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.engines.LoupeCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself: two nodes on every shared engine, what one is told the other knows and finds. */
class LoupeClusterTest {
    @Test
    void aBatchSubmittedOnOneNodeIsSearchableOnTheOther(@TempDir Path dir) {
        try (LoupeCluster cluster = LoupeCluster.start(dir, 2)) {
            assertTrue(cluster.flags("node-b").containsAll(List.of("--index", "solr", "--queue", "kafka", "--blob-store", "s3")),
                    cluster.flags("node-b").toString());
            Api a = cluster.admin(0, "fixture");
            Api b = cluster.admin(1, "fixture");
            a.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"fixture\"}");
            a.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"image\": {\"type\": \"image\"}}}}");
            a.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "image"}}}""");
            List<String> ids = new ArrayList<>();
            String[] colours = {"red", "green", "blue", "yellow"};
            for (int i = 0; i < colours.length; i++) {
                String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get(colours[i]), 64, 48, i)), "image/png");
                ids.add(a.ok("POST", "/v1/buckets/b/objects", "{\"blobs\": [{\"property\": \"image\", \"type\": \"image\", \"data\": \""
                        + image + "\"}]}").path("object_id").asText());
            }
            String batch = a.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"" + String.join("\", \"", ids) + "\"]}").path("batch_id").asText();
            String task = a.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
            JsonNode done = b.awaitTask(task, Duration.ofMinutes(2));
            assertEquals("COMPLETED", done.path("status").asText(), done + cluster.nodeLogs(30));
            JsonNode red = b.ok("POST", "/v1/retrievers/execute", """
                    {"collection_identifiers": ["c"], "inputs": {"q": "red"},
                     "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 1}}}]}""");
            assertEquals(ids.getFirst(), red.path("documents").get(0).path("root_object_id").asText(), red.toString());
        }
    }
}
