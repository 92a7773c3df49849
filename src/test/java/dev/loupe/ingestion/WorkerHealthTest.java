package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.auth.ApiKeys;
import dev.loupe.config.Settings;
import dev.loupe.http.ApiServer;
import dev.loupe.index.VectorQuantization;
import dev.loupe.retriever.RetrieverExecutor;
import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.OpenApi;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/health} tells whether anything still ingests: a worker thread that ended is a 503. */
class WorkerHealthTest {
    @Test
    void healthIsDegradedWith503AndTheReasonOnceTheWorkerThreadEnded(@TempDir Path dir) throws Exception {
        try (WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            Settings settings = new Settings(0, dir, Fixtures.modelsDir(), Fixtures.MODEL, true, 20L << 20, 50_000_000L, 1, 1,
                    Optional.empty(), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE, "127.0.0.1");
            ApiServer server = new ApiServer(settings, new ApiServer.Services(rig.catalog, new ApiKeys(rig.db), rig.store, rig.index,
                    rig.ingestion, rig.extractors, new RetrieverExecutor(rig.index, rig.extractors, rig.fetcher, rig.decoder, 20L << 20, new dev.loupe.metrics.Metrics()),
                    rig.sources, rig.thumbnails, rig.clusters, new dev.loupe.publish.Publications(rig.db),
                    new dev.loupe.upload.Uploads(rig.catalog, rig.sources, dev.loupe.upload.UploadSigner.inDirectory(dir), 20L << 20,
                            java.time.Clock.systemUTC()), new dev.loupe.metrics.Metrics()));
            try {
                Api api = new Api("http://127.0.0.1:" + server.start(), null, null);
                rig.start(rig.store, 1);
                Api.Response healthy = api.get("/v1/health");
                assertEquals(200, healthy.status(), healthy.raw());
                assertEquals("OK", healthy.text("status"));
                assertTrue(healthy.body().path("data").path("task_queue").asBoolean());

                rig.thread().interrupt();
                rig.thread().join();
                Api.Response dead = api.get("/v1/health");
                assertEquals(503, dead.status(), dead.raw());
                assertEquals("DEGRADED", dead.text("status"));
                assertFalse(dead.body().path("data").path("task_queue").asBoolean(true));
                assertEquals("ingestion stopped: the worker thread was interrupted", dead.body().path("errors").path("task_queue").asText());
                OpenApi.assertConforms("HealthCheckResponse", dead.body());
            } finally {
                server.close();
            }
        }
    }
}
