package dev.loupe.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.config.Settings;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.HubStandIn;
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
            files.add(new ModelManifest.ModelFile(f, "{hf}/acme/colours/resolve/main/" + f, pinned ? sha256(bytes.get(f)) : null, null));
        }
        return new ModelManifest(name, "fixture", "test", "MIT", 768, null, files, null, null);
    }

    private ModelDownloader downloader() {
        return new ModelDownloader(hub.url(""));
    }

    @Test
    void aPinnedModelIsFetchedVerifiedAndThenLoads() throws Exception {
        Path dir = downloader().pull(manifest("colours", true), models, false, log::add);
        for (String f : FILES) assertArrayEquals(bytes.get(f), Files.readAllBytes(dir.resolve(f)), f);
        assertEquals(FILES.size(), ModelDownloader.readLock(dir).size());
        try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo)) {
            float[] red = encoders.encoder("colours").embedImages(List.of(Images.dominant(Images.BASIC.get("red"), 64, 64, 1)))[0];
            assertTrue(Vectors.dot(red, encoders.encoder("colours").embedText("red")) > 0.8);
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
        assertEquals(sha256(bytes.get("textual/tokenizer.json")), lock.get("textual/tokenizer.json"));
        // The hub now serves something else: the local pin catches it.
        Files.delete(models.resolve("colours/textual/tokenizer.json"));
        hub.put("/acme/colours/resolve/main/textual/tokenizer.json", "{}".getBytes());
        assertThrows(ModelUnavailableException.class, () -> downloader().pull(manifest("colours", false), models, true, log::add));
    }

    @Test
    void aMissingModelIsFetchedOnFirstUseWhenOnlineAndNamedPreciselyWhenOffline() throws Exception {
        Files.writeString(models.resolve("colours.manifest.json"), Json.write(manifest("colours", true)));
        try (ModelRepository offline = new ModelRepository(models, downloader(), true); DualEncoders offlineEncoders = new DualEncoders(offline)) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> offlineEncoders.encoder("colours"));
            assertTrue(e.getMessage().contains("offline") && e.getMessage().contains("loupe models pull colours")
                    && e.getMessage().contains(hub.url("/acme/colours/resolve/main/visual/model.onnx")), e.getMessage());
        }
        try (ModelRepository online = new ModelRepository(models, downloader(), false); DualEncoders onlineEncoders = new DualEncoders(online)) {
            assertEquals(768, onlineEncoders.encoder("colours").dimension());
        }
        assertTrue(Files.isRegularFile(models.resolve("colours/visual/model.onnx")));
    }

    @Test
    void aCorruptDownloadedModelIsFetchedAgainOnce() throws Exception {
        Files.writeString(models.resolve("colours.manifest.json"), Json.write(manifest("colours", true)));
        downloader().pull(manifest("colours", true), models, false, log::add);
        Files.write(models.resolve("colours/visual/model.onnx"), "not onnx".getBytes());
        try (ModelRepository online = new ModelRepository(models, downloader(), false); DualEncoders onlineEncoders = new DualEncoders(online)) {
            assertEquals(768, onlineEncoders.encoder("colours").dimension());
        }
        assertArrayEquals(bytes.get("visual/model.onnx"), Files.readAllBytes(models.resolve("colours/visual/model.onnx")));
    }

    @Test
    void theBundledSiglipManifestDescribesTheModel() {
        ModelManifest siglip = new ModelCatalog(models).find("siglip_base").orElseThrow();
        assertEquals(768, siglip.embeddingDimension());
        assertEquals(64, siglip.text().contextLength());
        assertEquals("squash", siglip.preprocessing().path("resize_mode").asText());
        assertEquals("immich-app/ViT-B-16-SigLIP__webli", siglip.hub().repo());
        assertTrue(siglip.files().stream().allMatch(ModelManifest.ModelFile::fromHub));
        assertEquals(FILES, siglip.files().stream().map(ModelManifest.ModelFile::path).toList());
    }

    // ---- from a hub: one commit for the whole model, every file checked against the hub's published hash ----

    private static final String REPO = "acme/colours";
    private static final String COMMIT_A = "a".repeat(40);
    private static final String COMMIT_B = "b".repeat(40);

    private ModelManifest hubManifest(String name, String repo, String revision) {
        List<ModelManifest.ModelFile> files = FILES.stream().map(f -> new ModelManifest.ModelFile(f, null, null, null)).toList();
        return new ModelManifest(name, "fixture", "test", "MIT", 768, new ModelManifest.Hub(repo, revision), files, null, null);
    }

    private static List<String> fileRequests(HubStandIn stand) {
        return stand.requests().stream().filter(r -> r.contains("/resolve/")).toList();
    }

    @Test
    void aHubModelComesFromTheCommitItsBranchNamedIsVerifiedAgainstTheHubsHashesAndLoads() throws Exception {
        try (HubStandIn stand = new HubStandIn()) {
            stand.commit(REPO, COMMIT_A, bytes);
            assertTrue(HubStandIn.lfsPaths(bytes).containsAll(List.of("visual/model.onnx", "textual/model.onnx"))
                    && !HubStandIn.lfsPaths(bytes).contains("config.json"), "the fixture has LFS and plain files");
            Path dir = new ModelDownloader(stand.endpoint()).pull(hubManifest("colours", REPO, "main"), models, false, log::add);
            for (String f : FILES) assertArrayEquals(bytes.get(f), Files.readAllBytes(dir.resolve(f)), f);
            assertTrue(stand.requests().contains("GET /api/models/" + REPO + "/revision/main"), stand.requests().toString());
            assertFalse(fileRequests(stand).isEmpty());
            assertTrue(fileRequests(stand).stream().allMatch(r -> r.contains("/resolve/" + COMMIT_A + "/")), "never main: " + stand.requests());
            assertTrue(stand.requests().stream().anyMatch(r -> r.startsWith("GET /cdn/")), "LFS bytes come from the CDN: " + stand.requests());
            ModelLock lock = ModelLock.read(dir);
            assertEquals(COMMIT_A, lock.commit());
            assertEquals(REPO, lock.repo());
            assertEquals(sha256(bytes.get("textual/tokenizer.json")), lock.sha256().get("textual/tokenizer.json"));
            assertEquals(FILES.size(), lock.sha256().size());
            try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo)) {
                float[] red = encoders.encoder("colours").embedImages(List.of(Images.dominant(Images.BASIC.get("red"), 64, 64, 1)))[0];
                assertTrue(Vectors.dot(red, encoders.encoder("colours").embedText("red")) > 0.8);
            }
            int before = stand.requests().size();
            log.clear();
            new ModelDownloader(stand.endpoint()).pull(hubManifest("colours", REPO, "main"), models, false, log::add);
            assertEquals(before, stand.requests().size(), "a second pull checks the lock and asks nothing: " + stand.requests());
            assertTrue(log.stream().allMatch(l -> l.startsWith("ok")), log.toString());
        }
    }

    @Test
    void anInterruptedHubDownloadResumesFromTheSameCommitEvenAfterTheBranchMoved() throws Exception {
        try (HubStandIn stand = new HubStandIn()) {
            stand.commit(REPO, COMMIT_A, bytes);
            byte[] visual = bytes.get("visual/model.onnx");
            stand.breakOff(visual, 10_000);
            ModelDownloader downloader = new ModelDownloader(stand.endpoint());
            assertThrows(ModelDownloader.Unreachable.class, () -> downloader.pull(hubManifest("colours", REPO, "main"), models, false, log::add));
            Path part = models.resolve("colours/visual/model.onnx.part");
            assertTrue(Files.isRegularFile(part) && Files.size(part) > 0 && Files.size(part) < visual.length, "a partial file is kept");
            assertFalse(Files.exists(models.resolve("colours/visual/model.onnx")));
            assertEquals(COMMIT_A, ModelLock.read(models.resolve("colours")).commit(), "the commit is locked before any file is fetched");

            Map<String, byte[]> next = new LinkedHashMap<>(bytes);
            next.put("config.json", "{\"embed_dim\": 1}".getBytes());
            stand.commit(REPO, COMMIT_B, next);
            long have = Files.size(part);
            downloader.pull(hubManifest("colours", REPO, "main"), models, false, log::add);
            assertArrayEquals(visual, Files.readAllBytes(models.resolve("colours/visual/model.onnx")));
            assertTrue(stand.requests().stream().anyMatch(r -> r.startsWith("GET /cdn/") && r.endsWith("bytes=" + have + "-")), stand.requests().toString());
            assertArrayEquals(bytes.get("config.json"), Files.readAllBytes(models.resolve("colours/config.json")), "no file of the moved branch");
            assertTrue(fileRequests(stand).stream().noneMatch(r -> r.contains(COMMIT_B)), stand.requests().toString());
            assertFalse(Files.exists(part));
        }
    }

    @Test
    void filesWhoseBytesDoNotMatchTheHubsPublishedHashAreRefusedAndNotInstalled() throws Exception {
        for (String tampered : List.of("textual/model.onnx", "textual/tokenizer.json")) { // an LFS file and a plain one
            Path dir = models.resolve("colours-" + tampered.length());
            try (HubStandIn stand = new HubStandIn()) {
                stand.commit(REPO, COMMIT_A, bytes);
                byte[] evil = Arrays.copyOf(bytes.get(tampered), bytes.get(tampered).length);
                evil[evil.length / 2] ^= 1;
                stand.lie(bytes.get(tampered), evil);
                ModelManifest m = hubManifest(dir.getFileName().toString(), REPO, COMMIT_A);
                ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                        () -> new ModelDownloader(stand.endpoint()).pull(m, models, false, log::add));
                assertTrue(e.getMessage().contains(tampered) && e.getMessage().contains("the hub publishes")
                        && e.getMessage().contains("nothing was installed"), e.getMessage());
                assertFalse(Files.exists(dir.resolve(tampered)), tampered);
                assertFalse(Files.exists(dir.resolve(tampered + ".part")), tampered);
                assertFalse(ModelLock.read(dir).sha256().containsKey(tampered));
                assertTrue(stand.requests().stream().noneMatch(r -> r.contains("/api/models/")), "a commit revision needs no lookup");
            }
        }
    }

    @Test
    void aFilePlacedByHandIsKeptOnlyWhenItIsWhatTheHubPublishes() throws Exception {
        try (HubStandIn stand = new HubStandIn()) {
            stand.commit(REPO, COMMIT_A, bytes);
            Path dir = models.resolve("colours");
            Files.createDirectories(dir.resolve("visual"));
            Files.write(dir.resolve("visual/model.onnx"), bytes.get("visual/model.onnx"));
            Files.writeString(dir.resolve("config.json"), "{}");
            new ModelDownloader(stand.endpoint()).pull(hubManifest("colours", REPO, COMMIT_A), models, false, log::add);
            assertArrayEquals(bytes.get("config.json"), Files.readAllBytes(dir.resolve("config.json")));
            assertTrue(log.contains("ok        visual/model.onnx (matches the hub's hash)"), log.toString());
            assertTrue(stand.requests().stream().noneMatch(r -> r.startsWith("GET /cdn/" + sha256(bytes.get("visual/model.onnx")))),
                    "the matching file was not downloaded: " + stand.requests());
        }
    }

    @Test
    void aRenamedRepositoryIsFollowedThroughItsRelativeRedirect() throws Exception {
        try (HubStandIn stand = new HubStandIn()) {
            stand.commit("acme/colors", COMMIT_A, bytes);
            stand.rename(REPO, "acme/colors");
            Path dir = new ModelDownloader(stand.endpoint()).pull(hubManifest("colours", REPO, COMMIT_A), models, false, log::add);
            for (String f : FILES) assertArrayEquals(bytes.get(f), Files.readAllBytes(dir.resolve(f)), f);
        }
    }

    @Test
    void theDefaultManifestPullsFromTheHubWithoutTrustUnpinned() throws Exception {
        ModelManifest siglip = new ModelCatalog(models).find(Settings.DEFAULT_IMAGE_MODEL).orElseThrow();
        try (HubStandIn stand = new HubStandIn()) {
            // The fixture's bytes stand in for the real export: what is tested is the protocol, not the weights.
            stand.commit(siglip.hub().repo(), COMMIT_B, bytes);
            Path dir = new ModelDownloader(stand.endpoint()).pull(siglip, models, false, log::add);
            assertEquals(COMMIT_B, ModelLock.read(dir).commit());
            for (String f : FILES) assertArrayEquals(bytes.get(f), Files.readAllBytes(dir.resolve(f)), f);
        }
    }

    @Test
    void offlineOrUnreachableTheOneErrorSaysEveryWayForward() throws Exception {
        Files.writeString(models.resolve("colours.manifest.json"), Json.write(hubManifest("colours", REPO, "main")));
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closedPort;
        for (boolean offline : List.of(true, false)) {
            try (ModelRepository repo = new ModelRepository(models, new ModelDownloader(endpoint), offline); DualEncoders encoders = new DualEncoders(repo)) {
                String message = assertThrows(ModelUnavailableException.class, () -> encoders.encoder("colours")).getMessage();
                assertTrue(message.contains(offline ? "Loupe is offline" : "could not be fetched: cannot reach " + endpoint), message);
                assertTrue(message.contains("`./loupe models pull colours --models-dir " + models + "`"), message);
                assertTrue(message.contains("--model-endpoint") && message.contains("LOUPE_MODEL_ENDPOINT"), message);
                assertTrue(message.contains("put these files in " + models.resolve("colours")), message);
                for (String f : FILES) assertTrue(message.contains(f + "  <-  " + endpoint + "/" + REPO + "/resolve/main/" + f), message);
                assertTrue(message.contains("`./loupe fixture-model " + models + "`") && message.contains("LOUPE_IMAGE_MODEL=loupe-fixture-colors"), message);
            }
        }
    }

    /**
     * SHA-256 computed here, not by Loupe's {@code BlobStore}, so expected hashes do not
     * come from the code under test (the known answer below pins this helper itself).
     */
    static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theTestsOwnHashIsSha256() {
        // FIPS 180-2's example: SHA-256("abc")
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha256("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
