package dev.loupe.http;

import dev.loupe.index.VectorQuantization;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.Loupe;
import dev.loupe.config.Settings;
import dev.loupe.testing.Api;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline, with the default model absent, creating an image collection is one clear error. */
class MissingModelTest {
    @Test
    void anAbsentModelIsReportedWithWhatToFetchAndWhere(@TempDir Path data, @TempDir Path models) throws Exception {
        try (Loupe loupe = Loupe.start(new Settings(0, data, models, Settings.DEFAULT_IMAGE_MODEL, false,
                1 << 20, 1_000_000, 1, 4, Optional.of(TestServer.ADMIN_KEY), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE))) {
            Api api = new Api("http://127.0.0.1:" + loupe.port(), TestServer.ADMIN_KEY, null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
            Api.Response r = api.post("/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
            assertEquals(503, r.status());
            String message = r.body().path("error").path("message").asText();
            assertTrue(message.contains("siglip_base") && message.contains("not installed") && message.contains(models.toString()), message);
            assertEquals(0, api.ok("POST", "/v1/collections/list", "{}").path("results").size(), "nothing half-created");
        }
    }
}
