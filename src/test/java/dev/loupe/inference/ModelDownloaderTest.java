package dev.loupe.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.blob.BlobStore;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models are fetched from a hub (here a loopback stand-in), resumed, verified and pinned. */
class ModelDownloaderTest {
    private static final List<String> FILES = List.of("config.json", "visual/model.onnx", "visual/preprocess_cfg.json",
            "textual/model.onnx", "textual/tokenizer.json");

    private ImageHost hub;
    @TempDir
    Path models;
    private final Map<String, byte[]> bytes = new LinkedHashMap<>();
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void serveTheFixtureModel() throws Exception {
        hub = new ImageHost();
        Path source = Fixtures.modelsDir().resolve(Fixtures.MODEL);
        for (String f : FILES) {
            bytes.put(f, Files.readAllBytes(source.resolve(f)));
            hub.put("/acme/colours/resolve/main/" + f, bytes.get(f));
        }
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private ModelManifest manifest(String name, boolean pinned) {
        List<ModelManifest.ModelFile> files = new ArrayList<>();
        for (String f : FILES) {
            files.add(new ModelManifest.ModelFile(f, "{hf}/acme/colours/resolve/main/" + f, pinned ? BlobStore.sha256(bytes.get(f)) : null, null));
        }
        return new ModelManifest(name, "fixture", "test", "MIT", 768, files, null, null);
    }

    private ModelDownloader downloader() {
        return new ModelDownloader(hub.url(""));
    }

    @Test
    void aPinnedModelIsFetchedVerifiedAndThenLoads() throws Exception {
        Path dir = downloader().pull(manifest("colours", true), models, false, log::add);
        for (String f : FILES) assertArrayEquals(bytes.get(f), Files.readAllBytes(dir.resolve(f)), f);
        assertEquals(FILES.size(), ModelDownloader.readLock(dir).size());
        try (ModelRepository repo = new ModelRepository(models)) {
            float[] red = repo.dualEncoder("colours").embedImages(List.of(Images.dominant(Images.BASIC.get("red"), 64, 64, 1)))[0];
            assertTrue(Vectors.dot(red, repo.dualEncoder("colours").embedText("red")) > 0.8);
        }
        log.clear();
        downloader().pull(manifest("colours", true), models, false, log::add);
        assertTrue(log.stream().allMatch(l -> l.startsWith("ok")), "a second pull downloads nothing: " + log);
    }

    @Test
    void anInterruptedDownloadResumesWhereItStopped() throws Exception {
        byte[] visual = bytes.get("visual/model.onnx");
        Path part = models.resolve("colours/visual/model.onnx.part");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(visual, visual.length / 2));
        downloader().pull(manifest("colours", true), models, false, log::add);
        assertArrayEquals(visual, Files.readAllBytes(models.resolve("colours/visual/model.onnx")));
        assertTrue(hub.ranges().contains("/acme/colours/resolve/main/visual/model.onnx bytes=" + visual.length / 2 + "-"), hub.ranges().toString());
        assertFalse(Files.exists(part));
    }

    @Test
    void aChecksumMismatchInstallsNothing() {
        hub.put("/acme/colours/resolve/main/textual/model.onnx", "tampered".getBytes());
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> downloader().pull(manifest("colours", true), models, false, log::add));
        assertTrue(e.getMessage().contains("textual/model.onnx") && e.getMessage().contains("expected"), e.getMessage());
        assertFalse(Files.exists(models.resolve("colours/textual/model.onnx")));
        assertFalse(Files.exists(models.resolve("colours/textual/model.onnx.part")));
    }

    @Test
    void unpinnedFilesNeedExplicitTrustAndArePinnedLocallyAfterwards() throws Exception {
        ModelUnavailableException refused = assertThrows(ModelUnavailableException.class,
                () -> downloader().pull(manifest("colours", false), models, false, log::add));
        assertTrue(refused.getMessage().contains("--trust-unpinned"), refused.getMessage());
        downloader().pull(manifest("colours", false), models, true, log::add);
        Map<String, String> lock = ModelDownloader.readLock(models.resolve("colours"));
        assertEquals(BlobStore.sha256(bytes.get("textual/tokenizer.json")), lock.get("textual/tokenizer.json"));
        // The hub now serves something else: the local pin catches it.
        Files.delete(models.resolve("colours/textual/tokenizer.json"));
        hub.put("/acme/colours/resolve/main/textual/tokenizer.json", "{}".getBytes());
        assertThrows(ModelUnavailableException.class, () -> downloader().pull(manifest("colours", false), models, true, log::add));
    }

    @Test
    void aMissingModelIsFetchedOnFirstUseWhenOnlineAndNamedPreciselyWhenOffline() throws Exception {
        Files.writeString(models.resolve("colours.manifest.json"), Json.write(manifest("colours", true)));
        try (ModelRepository offline = new ModelRepository(models, downloader(), true)) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> offline.dualEncoder("colours"));
            assertTrue(e.getMessage().contains("offline") && e.getMessage().contains("loupe models pull colours")
                    && e.getMessage().contains(hub.url("/acme/colours/resolve/main/visual/model.onnx")), e.getMessage());
        }
        try (ModelRepository online = new ModelRepository(models, downloader(), false)) {
            assertEquals(768, online.dualEncoder("colours").dimension());
        }
        assertTrue(Files.isRegularFile(models.resolve("colours/visual/model.onnx")));
    }

    @Test
    void aCorruptDownloadedModelIsFetchedAgainOnce() throws Exception {
        Files.writeString(models.resolve("colours.manifest.json"), Json.write(manifest("colours", true)));
        downloader().pull(manifest("colours", true), models, false, log::add);
        Files.write(models.resolve("colours/visual/model.onnx"), "not onnx".getBytes());
        try (ModelRepository online = new ModelRepository(models, downloader(), false)) {
            assertEquals(768, online.dualEncoder("colours").dimension());
        }
        assertArrayEquals(bytes.get("visual/model.onnx"), Files.readAllBytes(models.resolve("colours/visual/model.onnx")));
    }

    @Test
    void theBundledSiglipManifestDescribesTheModel() {
        ModelManifest siglip = new ModelCatalog(models).find("siglip_base").orElseThrow();
        assertEquals(768, siglip.embeddingDimension());
        assertEquals(64, siglip.text().contextLength());
        assertEquals("squash", siglip.preprocessing().path("resize_mode").asText());
        assertTrue(siglip.files().stream().allMatch(f -> f.url().startsWith("{hf}/immich-app/ViT-B-16-SigLIP__webli/resolve/main/")));
        assertEquals(FILES, siglip.files().stream().map(ModelManifest.ModelFile::path).toList());
    }
}
