package dev.loupe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.Settings;
import dev.loupe.index.VectorQuantization;
import dev.loupe.testing.Api;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.HubStandIn;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin key of a first start is never lost: not by a failed start, and not by a forgetful operator. */
class FirstStartTest {
    private static final Pattern PRINTED_KEY = Pattern.compile("shown once, store it now\\): (lpk_\\S+)");

    private static Settings settings(Path data, int port) {
        return new Settings(port, data, Fixtures.modelsDir(), Fixtures.MODEL, true, 1 << 20, 1_000_000, 1, 4,
                Optional.empty(), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE);
    }

    private static int status(Loupe loupe, String key) {
        return new Api("http://127.0.0.1:" + loupe.port(), key, null).post("/v1/buckets/list", "{}").status();
    }

    @Test
    void aFirstStartOnAPortInUseFailsClearlyAndTheNextStartStillGivesAWorkingAdminKey(@TempDir Path data) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Loupe.start(settings(data, taken.getLocalPort())));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()) && e.getMessage().contains("--port"), e.getMessage());
        }
        String key;
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            key = loupe.generatedAdminKey().orElseThrow(() -> new AssertionError("the failed start used up the one admin key"));
            assertEquals(200, status(loupe, key));
        }
        try (Loupe again = Loupe.start(settings(data, 0))) {
            assertTrue(again.generatedAdminKey().isEmpty(), "a key is generated on the first successful start only");
            assertEquals(200, status(again, key));
        }
    }

    @Test
    void aLostAdminKeyIsReplacedFromTheCommandLineOnlyWhileLoupeIsStopped(@TempDir Path data) throws Exception {
        String old;
        Map<String, String> env = Map.of("LOUPE_DATA_DIR", data.toString());
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            old = loupe.generatedAdminKey().orElseThrow();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(1, AdminKeyCommand.run(new String[] {"reset"}, env, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
            assertTrue(err.toString().contains("a Loupe is running on " + data) && err.toString().contains("stop it"), err.toString());
            assertEquals(200, status(loupe, old), "a refused reset changes nothing");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, AdminKeyCommand.run(new String[] {"reset", "--data-dir", data.toString()}, Map.of(),
                new PrintStream(out), new PrintStream(new ByteArrayOutputStream())));
        Matcher m = PRINTED_KEY.matcher(out.toString());
        assertTrue(m.find(), out.toString());
        String fresh = m.group(1);
        assertNotEquals(old, fresh);
        assertTrue(out.toString().contains("Revoked 1 admin key"), out.toString());
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            assertTrue(loupe.generatedAdminKey().isEmpty());
            assertEquals(200, status(loupe, fresh));
            assertEquals(401, status(loupe, old));
        }
    }

    @Test
    void onASharedCatalogTheResetReplacesTheAdminKeyOfEveryNodeWhileTheyRun(@TempDir Path data) {
        String catalog = dev.loupe.testing.engines.Postgres.shared().freshDatabase(2).url();
        Settings onPostgres = Settings.from(new String[] {"--port", "0", "--data-dir", data.resolve("node").toString(),
                "--models-dir", Fixtures.modelsDir().toString(), "--image-model", Fixtures.MODEL, "--offline",
                "--model-endpoint", "http://127.0.0.1:9", "--catalog-url", catalog, "--catalog-pool-size", "2"}, Map.of());
        try (Loupe loupe = Loupe.start(onPostgres)) {
            String old = loupe.generatedAdminKey().orElseThrow();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(0, AdminKeyCommand.run(new String[] {"reset", "--data-dir", data.resolve("operator").toString(), "--catalog-url", catalog},
                    Map.of(), new PrintStream(out), new PrintStream(err)), err.toString());
            Matcher m = PRINTED_KEY.matcher(out.toString());
            assertTrue(m.find(), out.toString());
            assertTrue(out.toString().contains("Revoked 1 admin key"), out.toString());
            assertEquals(200, status(loupe, m.group(1)), "the running node accepts the new key at once");
            assertEquals(401, status(loupe, old));
        }
    }

    @Test
    void aConfiguredAdminKeyRevokedByResetIsRefusedClearlyAtTheNextStart(@TempDir Path data) {
        String configured = "lpk_configured_admin_key_0123456789abcdefgh";
        Settings withKey = new Settings(0, data, Fixtures.modelsDir(), Fixtures.MODEL, true, 1 << 20, 1_000_000, 1, 4,
                Optional.of(configured), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE);
        try (Loupe loupe = Loupe.start(withKey)) {
            assertEquals(200, status(loupe, configured));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, AdminKeyCommand.run(new String[] {"reset", "--data-dir", data.toString()}, Map.of("LOUPE_ADMIN_KEY", configured),
                new PrintStream(out), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(out.toString().contains("LOUPE_ADMIN_KEY) is revoked too"), out.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Loupe.start(withKey));
        assertTrue(e.getMessage().contains("configured admin key") && e.getMessage().contains("revoked"), e.getMessage());
        try (Loupe loupe = Loupe.start(settings(data, 0))) {
            assertEquals(401, status(loupe, configured), "the failed start left the data directory usable, the key revoked");
        }
    }

    @Test
    void resetNeedsExistingDataAndSaysWhatItDoes(@TempDir Path data) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, AdminKeyCommand.run(new String[] {"reset", "--data-dir", data.resolve("nothing").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err)));
        assertTrue(err.toString().contains("no Loupe data in"), err.toString());
        ByteArrayOutputStream usage = new ByteArrayOutputStream();
        assertEquals(2, AdminKeyCommand.run(new String[0], Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(usage)));
        assertTrue(usage.toString().contains("loupe admin-key reset"), usage.toString());
    }

    @Test
    void aFirstStartWithNoModelInstalledDownloadsItFromTheHubAndReachesASearchableDocument(@TempDir Path data, @TempDir Path models)
            throws Exception {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        Path fixture = Fixtures.modelsDir().resolve(Fixtures.MODEL);
        for (String f : dev.loupe.inference.clip.DualEncoder.LAYOUT) files.put(f, java.nio.file.Files.readAllBytes(fixture.resolve(f)));
        var manifest = new dev.loupe.inference.ModelManifest("colours", "fixture", "test", "MIT", 768,
                new dev.loupe.inference.ModelManifest.Hub("acme/colours", "main"),
                files.keySet().stream().map(f -> new dev.loupe.inference.ModelManifest.ModelFile(f, null, null, null)).toList(), null, null);
        java.nio.file.Files.writeString(models.resolve("colours.manifest.json"), dev.loupe.api.Json.write(manifest));
        try (HubStandIn hub = new HubStandIn(); ImageHost images = new ImageHost()) {
            hub.commit("acme/colours", "c".repeat(40), files);
            Settings online = new Settings(0, data, models, "colours", true, 1 << 20, 1_000_000, 1, 4,
                    Optional.empty(), Optional.empty(), false, hub.endpoint(), VectorQuantization.NONE);
            try (Loupe loupe = Loupe.start(online)) {
                Api api = new Api("http://127.0.0.1:" + loupe.port(), loupe.generatedAdminKey().orElseThrow(), null);
                api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"products\", \"bucket_schema\": {\"properties\": {\"image_url\": {\"type\": \"image\"}}}}");
                String url = images.put("/red.jpg", Images.jpeg(Images.dominant(Images.BASIC.get("red"), 320, 240, 1)));
                api.ok("POST", "/v1/buckets/products/objects", """
                        {"blobs": [{"property": "image_url", "type": "image", "data": "%s"}], "metadata": {"product_id": "P-1"}}""".formatted(url));
                var collection = api.ok("POST", "/v1/collections", """
                        {"collection_name": "product-images", "source": {"type": "bucket", "bucket_id": "products"},
                         "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                           "input_mappings": {"image": "payload.image_url"}}}""");
                var task = api.awaitTask(collection.path("task_id").asText(), java.time.Duration.ofSeconds(60));
                assertEquals("COMPLETED", task.path("status").asText(), task.toString());
                var docs = api.ok("POST", "/v1/retrievers/execute", """
                        {"collection_ids": ["product-images"], "inputs": {"query": "red"},
                         "stages": [{"stage_name": "search", "stage_type": "filter", "config": {"stage_id": "feature_search",
                           "parameters": {"feature_uri": "mixpeek://image_extractor@v1/embedding", "query": "{{INPUT.query}}", "top_k": 5}}}]}""")
                        .path("documents");
                assertEquals(1, docs.size(), docs.toString());
                assertEquals("P-1", docs.get(0).path("metadata").path("product_id").asText());
            }
            assertTrue(hub.requests().stream().anyMatch(r -> r.contains("/resolve/" + "c".repeat(40) + "/visual/model.onnx")), hub.requests().toString());
        }
    }
}
