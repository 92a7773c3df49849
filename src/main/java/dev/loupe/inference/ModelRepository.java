package dev.loupe.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Named models under the models directory ({@code <modelsDir>/<name>/}), loaded once
 * and shared. One ONNX Runtime environment serves all sessions.
 */
public final class ModelRepository implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * ONNX Runtime's native set-up (environment, session creation) can use more than a
     * default 1 MB thread stack and then dies with SIGSEGV, depending on memory layout
     * (seen with a long class path). It therefore always runs on a thread of its own
     * with this much stack, whatever the JVM's -Xss.
     */
    private static final long NATIVE_SETUP_STACK_BYTES = 64L << 20;

    private final Path modelsDir;
    private final OrtEnvironment env;
    private final ConcurrentMap<String, DualEncoder> dualEncoders = new ConcurrentHashMap<>();

    public ModelRepository(Path modelsDir) {
        this.modelsDir = modelsDir;
        this.env = onLargeStack(OrtEnvironment::getEnvironment);
    }

    static <T> T onLargeStack(java.util.function.Supplier<T> work) {
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
        return dualEncoders.computeIfAbsent(name, n -> onLargeStack(() -> DualEncoder.load(n, modelsDir.resolve(n), env, sessionOptions())));
    }

    private static OrtSession.SessionOptions sessionOptions() {
        try {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            return o;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        dualEncoders.values().forEach(DualEncoder::close);
        dualEncoders.clear();
    }
}
