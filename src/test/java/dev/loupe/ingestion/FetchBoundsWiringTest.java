package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.Loupe;
import dev.loupe.config.Settings;
import dev.loupe.index.VectorQuantization;
import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import java.awt.Color;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --fetch-timeout} reaches the fetcher ingestion uses: a body that never ends fails the item with that bound. */
class FetchBoundsWiringTest {
    @Test
    void theFetchTimeoutSettingBoundsIngestionFetches(@TempDir Path dir) throws Exception {
        Settings settings = new Settings(0, dir, Fixtures.modelsDir(), Fixtures.MODEL, true, 20L << 20, 50_000_000L, 1, 4,
                Optional.of(TestServer.ADMIN_KEY), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE, "127.0.0.1",
                3, Duration.ofSeconds(2), 0);
        try (IngestionWorkerTest.SlowImageServer stalled = new IngestionWorkerTest.SlowImageServer(Images.jpeg(Images.dominant(Color.RED, 64, 48, 1)));
             Loupe loupe = Loupe.start(settings)) {
            Api api = new Api("http://127.0.0.1:" + loupe.port(), TestServer.ADMIN_KEY, null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                           "input_mappings": {"image": "img"}}}""");
            String objectId = api.ok("POST", "/v1/buckets/b/objects", "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \""
                    + stalled.url() + "\"}]}").path("object_id").asText();
            String batchId = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"" + objectId + "\"]}").path("batch_id").asText();
            String taskId = api.ok("POST", "/v1/buckets/b/batches/" + batchId + "/submit", "{}").path("task_id").asText();
            // The server sends half the image and then nothing: only the total bound ends the fetch.
            JsonNode task = api.awaitTask(taskId, Duration.ofMinutes(2));
            assertEquals("FAILED", task.path("status").asText(), task.toString());
            String reason = task.path("additional_data").path("failures").path(objectId).asText();
            assertTrue(reason.contains("exceeded the 2000 ms total time limit"), reason);
        }
    }
}
