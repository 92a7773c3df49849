package dev.loupe.testing;

import dev.loupe.index.VectorQuantization;
import dev.loupe.Loupe;
import dev.loupe.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Loupe running in the test JVM on a free port, with the fixture encoder and private URLs allowed. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_KEY = "lpk_test_admin_key_0123456789abcdefghij";

    private final Loupe loupe;
    private final Path dataDir;

    /** A server keeping its data in {@code dataDir}, which the test owns (a JUnit {@code @TempDir}) and deletes. */
    public TestServer(Path dataDir) {
        this(dataDir, 20L << 20, 50_000_000L);
    }

    public TestServer(Path dataDir, long maxBlobBytes, long maxPixels) {
        this(dataDir, maxBlobBytes, maxPixels, true);
    }

    public TestServer(Path dataDir, long maxBlobBytes, long maxPixels, boolean allowPrivateUrls) {
        this(dataDir, Fixtures.modelsDir(), maxBlobBytes, maxPixels, allowPrivateUrls);
    }

    /** A server on the models in {@code modelsDir} (with the fixture encoder as image model), such as {@link FaceFixtures#modelsDir()}. */
    public TestServer(Path dataDir, Path modelsDir) {
        this(dataDir, modelsDir, 20L << 20, 50_000_000L, true);
    }

    private TestServer(Path dataDir, Path modelsDir, long maxBlobBytes, long maxPixels, boolean allowPrivateUrls) {
        this.dataDir = dataDir;
        this.loupe = Loupe.start(new Settings(0, dataDir, modelsDir, Fixtures.MODEL, allowPrivateUrls, maxBlobBytes,
                maxPixels, 1, 16, Optional.of(ADMIN_KEY), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE));
    }

    /**
     * A server on the fixture models configured as {@code loupe serve} would be with
     * {@code extraFlags} added ({@code "--vlm-provider", "openai"}, say).
     */
    public static TestServer withFlags(Path dataDir, String... extraFlags) {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--data-dir", dataDir.toString(), "--models-dir", Fixtures.modelsDir().toString(),
                "--image-model", Fixtures.MODEL, "--allow-private-urls", "--max-blob-bytes", String.valueOf(20L << 20),
                "--max-pixels", "50000000", "--admin-key", ADMIN_KEY, "--offline", "--model-endpoint", "http://127.0.0.1:9"));
        args.addAll(List.of(extraFlags));
        return new TestServer(dataDir, Settings.from(args.toArray(String[]::new), Map.of()));
    }

    private TestServer(Path dataDir, Settings settings) {
        this.dataDir = dataDir;
        this.loupe = Loupe.start(settings);
    }

    public Path dataDir() {
        return dataDir;
    }

    public String base() {
        return "http://127.0.0.1:" + loupe.port();
    }

    /** The routes the server's router serves. */
    public List<dev.loupe.http.ApiServer.Endpoint> endpoints() {
        return loupe.endpoints();
    }

    public Api admin(String namespace) {
        return new Api(base(), ADMIN_KEY, namespace);
    }

    @Override
    public void close() {
        loupe.close();
    }
}
