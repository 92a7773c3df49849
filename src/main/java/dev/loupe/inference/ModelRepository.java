package dev.loupe.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Named models under the models directory ({@code <modelsDir>/<name>/}): their manifests,
 * fetching their files, and the one ONNX Runtime environment all sessions share. Each model
 * family loads its models through it ({@code clip.DualEncoders}, {@code face.FaceModels}),
 * so that the families depend on the repository and not the other way round.
 */
public final class ModelRepository implements AutoCloseable {
    /** The tiny model {@code scripts/fixture_encoder.py} writes, for trying Loupe without a download. */
    public static final String FIXTURE_MODEL = "loupe-fixture-colors";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * ONNX Runtime's native set-up (environment, session creation) can use more than a
     * default 1 MB thread stack and then dies with SIGSEGV, depending on memory layout
     * (seen with a long class path). It therefore always runs on a thread of its own
     * with this much stack, whatever the JVM's -Xss.
     */
    private static final long NATIVE_SETUP_STACK_BYTES = 64L << 20;

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ModelRepository.class.getName());

    private final Path modelsDir;
    private final ModelCatalog catalog;
    private final ModelDownloader downloader;
    private final boolean offline;
    private final OrtEnvironment env;

    /** A repository that never downloads: models must already be in {@code modelsDir}. */
    public ModelRepository(Path modelsDir) {
        this(modelsDir, new ModelDownloader(ModelDownloader.DEFAULT_ENDPOINT), true);
    }

    /**
     * @param downloader fetches missing models on first use
     * @param offline    never download; a missing model is an error naming what to fetch
     */
    public ModelRepository(Path modelsDir, ModelDownloader downloader, boolean offline) {
        this.modelsDir = modelsDir;
        this.catalog = new ModelCatalog(modelsDir);
        this.downloader = downloader;
        this.offline = offline;
        // ONNX Runtime's own warnings (execution providers probed, initialisers it removes) tell a user nothing; its errors still show.
        this.env = onLargeStack(() -> OrtEnvironment.getEnvironment(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "loupe"));
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /** Runs ONNX Runtime set-up work (session creation) on a thread with a large enough stack; see {@link #NATIVE_SETUP_STACK_BYTES}. */
    public static <T> T onLargeStack(java.util.function.Supplier<T> work) {
        java.util.concurrent.atomic.AtomicReference<T> result = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(work.get());
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "onnxruntime-setup", NATIVE_SETUP_STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while loading a model", e);
        }
        if (failure.get() != null) throw failure.get();
        return result.get();
    }

    public Path modelsDir() {
        return modelsDir;
    }

    /** Throws {@link ModelUnavailableException} unless {@code name} may name a model: it becomes a folder under the models directory. */
    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) throw new ModelUnavailableException("invalid model name: " + name);
    }

    /**
     * After a model that Loupe downloaded itself (its lock file is there) failed to load,
     * clears its files and fetches them again, as Immich does with corrupt cache entries.
     * Does nothing and answers false when Loupe is offline or the files were put there by
     * hand, which a download must not overwrite.
     */
    public boolean refetchCorrupt(ModelManifest m, Exception failure) {
        Path dir = folder(m.name());
        if (offline || !Files.isRegularFile(dir.resolve(ModelDownloader.LOCK_FILE))) return false;
        LOG.warning("model '" + m.name() + "' failed to load (" + failure.getMessage() + "); fetching it again");
        for (ModelManifest.ModelFile f : m.files()) {
            try {
                Files.deleteIfExists(dir.resolve(f.path()));
            } catch (java.io.IOException io) {
                throw new ModelUnavailableException("cannot clear corrupt model file " + dir.resolve(f.path()), io);
            }
        }
        downloader.pull(m, modelsDir, false, line -> LOG.info(m.name() + ": " + line));
        return true;
    }

    /** Downloads a missing model's files unless Loupe is offline; when it cannot, the error names every way to install the model. */
    public void fetch(ModelManifest m) {
        if (offline) throw new ModelUnavailableException(notInstalled(m, "Loupe is offline (--offline or LOUPE_OFFLINE)"));
        try {
            downloader.pull(m, modelsDir, false, line -> LOG.info(m.name() + ": " + line));
        } catch (ModelDownloader.Unreachable e) {
            throw new ModelUnavailableException(notInstalled(m, "its files could not be fetched: " + e.getMessage()), e);
        }
    }

    /**
     * The manifest of model {@code name}, which must be one of {@code kinds}, with every file
     * it lists present in {@link #folder} (fetched on first use like the image models). An
     * operator installs a model by hand with a {@code NAME.manifest.json} in the models
     * directory and the files it lists in {@code NAME/}.
     */
    public ModelManifest installed(String name, java.util.Set<ModelKind> kinds) {
        checkName(name);
        ModelManifest m = catalog.find(name).orElseThrow(() -> new ModelUnavailableException("no manifest for model '" + name
                + "'; known: " + catalog.all().keySet() + ". Install one by hand with " + modelsDir.resolve(name + ".manifest.json")));
        if (!kinds.contains(m.kind())) throw new ModelUnavailableException("model '" + name + "' is a " + m.kind().wireName() + ", not one of " + kinds);
        if (!m.missingFiles(folder(name)).isEmpty()) fetch(m);
        List<String> missing = m.missingFiles(folder(name));
        if (!missing.isEmpty()) throw new ModelUnavailableException("model '" + name + "' is missing " + folder(name).resolve(missing.getFirst()));
        return m;
    }

    /** Where model {@code name}'s files live. */
    public Path folder(String name) {
        return modelsDir.resolve(name);
    }

    /** The ONNX Runtime environment every session of this repository shares. */
    public OrtEnvironment environment() {
        return env;
    }

    /** The one error for a model that is missing and cannot be fetched now: every way to install it, and a way to try Loupe without it. */
    String notInstalled(ModelManifest m, String why) {
        Path dir = modelsDir.resolve(m.name());
        StringBuilder sb = new StringBuilder("model '" + m.name() + "' is not installed (in " + dir + ") and " + why + ". To install it, either\n"
                + "  - run `./loupe models pull " + m.name() + " --models-dir " + modelsDir + "` where " + downloader.endpoint()
                + " is reachable (for a mirror add --model-endpoint URL, or set LOUPE_MODEL_ENDPOINT), or\n"
                + "  - put these files in " + dir + ":");
        for (ModelManifest.ModelFile f : m.files()) sb.append("\n      ").append(f.path()).append("  <-  ").append(downloader.source(m, f, dir));
        if (m.kind() != ModelKind.DUAL_ENCODER) return sb.toString();
        sb.append("\nTo try Loupe without it, generate the fixture colour model with `./loupe fixture-model ").append(modelsDir)
                .append("` and serve with LOUPE_IMAGE_MODEL=").append(FIXTURE_MODEL).append(" (or --image-model ").append(FIXTURE_MODEL).append(").");
        return sb.toString();
    }

    /** The session options Loupe runs every model with; benchmarks use the same for their bare loops. */
    public static OrtSession.SessionOptions sessionOptions() {
        try {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            if (!Boolean.getBoolean("loupe.ort.spin")) {
                // Idle intra-op threads otherwise spin, taking the cores that decode the next batch.
                o.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            return o;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** Closes nothing that was loaded: the model families ({@code clip.DualEncoders}, {@code face.FaceModels}) own and close their models. */
    @Override
    public void close() {
    }
}
