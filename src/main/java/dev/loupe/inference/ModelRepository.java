package dev.loupe.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Named models under the models directory ({@code <modelsDir>/<name>/}), loaded once
 * and shared. One ONNX Runtime environment serves all sessions.
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
    private final Memo<String, DualEncoder> dualEncoders = Memo.unbounded();

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
        this.env = onLargeStack(OrtEnvironment::getEnvironment);
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

    public DualEncoder dualEncoder(String name) {
        if (!NAME.matcher(name).matches()) throw new ModelUnavailableException("invalid model name: " + name);
        return dualEncoders.get(name, n -> onLargeStack(() -> load(n)));
    }

    /**
     * Loads a model, fetching it first when it is missing and a manifest says where from.
     * A downloaded model that fails to load is cleared and fetched again, once, as
     * Immich does with corrupt cache entries.
     */
    private DualEncoder load(String name) {
        Path dir = modelsDir.resolve(name);
        java.util.Optional<ModelManifest> manifest = catalog.find(name);
        java.util.List<String> missing = DualEncoder.missingFiles(dir);
        if (!missing.isEmpty()) {
            if (manifest.isEmpty()) {
                throw new ModelUnavailableException("model '" + name + "' is not installed (missing " + dir.resolve(missing.getFirst())
                        + ") and no manifest says where to fetch it; put its files (OpenCLIP/Immich layout) in " + dir);
            }
            fetch(manifest.get());
        }
        try {
            return DualEncoder.load(name, dir, manifest.orElse(null), env, sessionOptions());
        } catch (ModelUnavailableException e) {
            if (manifest.isEmpty() || offline || !Files.isRegularFile(dir.resolve(ModelDownloader.LOCK_FILE))) throw e;
            LOG.warning("model '" + name + "' failed to load (" + e.getMessage() + "); fetching it again");
            for (ModelManifest.ModelFile f : manifest.get().files()) {
                try {
                    Files.deleteIfExists(dir.resolve(f.path()));
                } catch (java.io.IOException io) {
                    throw new ModelUnavailableException("cannot clear corrupt model file " + dir.resolve(f.path()), io);
                }
            }
            downloader.pull(manifest.get(), modelsDir, false, line -> LOG.info(name + ": " + line));
            return DualEncoder.load(name, dir, manifest.get(), env, sessionOptions());
        }
    }

    /** Downloads a missing model's files, unless Loupe is offline. */
    private void fetch(ModelManifest m) {
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
        if (name == null || !NAME.matcher(name).matches()) throw new ModelUnavailableException("invalid model name: " + name);
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

    @Override
    public void close() {
        dualEncoders.clear().forEach(DualEncoder::close);
    }
}
