package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unless configured otherwise, blob URLs that reach internal hosts are refused, and the object records why. */
class PrivateUrlTest {
    @Test
    void urlsResolvingToInternalAddressesAreRefusedByDefault(@TempDir Path data) {
        try (TestServer server = new TestServer(data, 20L << 20, 50_000_000L, false);
             ImageHost host = new ImageHost()) {
            Api api = server.admin(null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
            String loopback = host.put("/a.jpg", Images.jpeg(Images.dominant(Images.BASIC.get("red"), 64, 64, 1)));
            // Only loopback forms here, so a broken guard could never send traffic off this machine;
            // private and link-local ranges are covered by UrlFetcherTest without any network.
            String[] urls = {loopback, loopback.replace("127.0.0.1", "localhost"), "http://[::1]:9/x.jpg", "http://0.0.0.0:9/x.jpg"};
            StringBuilder ids = new StringBuilder();
            for (String url : urls) {
                String id = api.ok("POST", "/v1/buckets/b/objects",
                        "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + url + "\"}]}").path("object_id").asText();
                ids.append(ids.isEmpty() ? "" : ",").append('"').append(id).append('"');
            }
            String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [" + ids + "]}").path("batch_id").asText();
            String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
            JsonNode done = api.awaitTask(task, Duration.ofSeconds(60));
            assertEquals("FAILED", done.path("status").asText(), done.toString());
            done.path("additional_data").path("failures").forEach(reason ->
                    assertTrue(reason.asText().contains("internal address"), reason.asText()));
            assertEquals(urls.length, done.path("additional_data").path("failures").size());
        }
    }
}
